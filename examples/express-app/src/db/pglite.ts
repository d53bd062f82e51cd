import { PGlite } from '@electric-sql/pglite'
import { SqlDatabase } from './sql-database.js'

export interface PgliteOptions {
  /** A directory to persist to; default in memory (the demo data is re-seeded on every start). */
  dataDir?: string
  /** Schema holding the tables (created when missing). Default 'public'. */
  schema?: string
}

/** PostgreSQL compiled to WebAssembly, in the process: the app starts anywhere without a server. */
export class PgliteDatabase extends SqlDatabase {
  readonly kind = 'pglite' as const
  readonly #db: PGlite

  private constructor(db: PGlite, schema: string) {
    super(db, schema)
    this.#db = db
  }

  /** Starts an embedded database, creates the tables and seeds the demo rows. */
  static async open(options: PgliteOptions = {}): Promise<PgliteDatabase> {
    const pglite = options.dataDir === undefined ? new PGlite() : new PGlite(options.dataDir)
    return PgliteDatabase.wrap(pglite, options.schema)
  }

  /** Uses a PGlite you created (closed by `close()`); creates the tables and seeds the demo rows. */
  static async wrap(pglite: PGlite, schema = 'public'): Promise<PgliteDatabase> {
    await pglite.waitReady
    const db = new PgliteDatabase(pglite, schema)
    try {
      await db.migrateAndSeed()
    } catch (error) {
      await pglite.close()
      throw error
    }
    return db
  }

  async close(): Promise<void> {
    if (!this.#db.closed) await this.#db.close()
  }
}
