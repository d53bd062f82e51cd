import type { Environment } from '../config.js'
import type { Database } from './database.js'
import { PgliteDatabase } from './pglite.js'
import { PostgresDatabase } from './postgres.js'

/** PostgreSQL when DATABASE_URL is set, otherwise an in-memory PGlite (or PGLITE_DATA_DIR). */
export async function openDatabase(env: Environment = process.env): Promise<Database> {
  const schema = env.DATABASE_SCHEMA || 'public'
  if (env.DATABASE_URL) return PostgresDatabase.open({ connectionString: env.DATABASE_URL, schema })
  return PgliteDatabase.open({ schema, ...(env.PGLITE_DATA_DIR ? { dataDir: env.PGLITE_DATA_DIR } : {}) })
}
