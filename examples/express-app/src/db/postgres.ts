import pg from 'pg'
import { SqlDatabase } from './sql-database.js'

export interface PostgresOptions {
  connectionString: string
  /** Schema holding the tables (created when missing). Default 'public'. */
  schema?: string
  /** Pool size. Default 5. */
  max?: number
}

/** PostgreSQL through `pg` (DATABASE_URL). */
export class PostgresDatabase extends SqlDatabase {
  readonly kind = 'postgres' as const
  readonly #pool: pg.Pool

  private constructor(pool: pg.Pool, schema: string) {
    super(pool, schema)
    this.#pool = pool
  }

  /** Connects, creates the tables when missing and seeds the demo rows. */
  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 5,
      connectionTimeoutMillis: 5000,
    })
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', (error) => console.warn(`[example] PostgreSQL pool: ${error.message}`))
    const db = new PostgresDatabase(pool, options.schema ?? 'public')
    try {
      await db.migrateAndSeed()
    } catch (error) {
      await pool.end()
      throw error
    }
    return db
  }

  async close(): Promise<void> {
    await this.#pool.end()
  }
}
