import type { Server } from 'node:http'
import type { RedisClient } from '@rediware/redis'
import type { Express } from 'express'
import type { Response } from 'supertest'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { PgliteDatabase } from '../src/db/pglite.js'

export const alice = { email: 'alice@example.com', password: 'rediware-demo' }
export const bob = { email: 'bob@example.com', password: 'rediware-demo' }

/** An app whose Redis keys live under `keyPrefix` (unique per test), with env-style overrides. */
export function exampleApp(
  redis: RedisClient,
  db: Database,
  keyPrefix: string,
  env: Record<string, string> = {},
  publicDir?: string,
): Express {
  const config = loadConfig({
    KEY_PREFIX: keyPrefix,
    SESSION_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    ...env,
  })
  const warnings: string[] = []
  return createApp({
    redis,
    db,
    config,
    warn: (message) => warnings.push(message),
    ...(publicDir === undefined ? {} : { publicDir }),
  })
}

/** The `name=value` part of the session cookie a response set, or undefined. */
export function sessionCookie(response: Response): string | undefined {
  const raw: unknown = response.headers['set-cookie']
  const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : []
  return list.find((cookie) => cookie.startsWith('rw.sid='))?.split(';')[0]
}

/**
 * An embedded PGlite database for tests. PGlite's CommonJS build loads Node modules with dynamic
 * `import()`, which jest's module sandbox refuses (without --experimental-vm-modules), so it is loaded
 * with Node's own `require`, outside the sandbox; the app code (`PgliteDatabase.open`) is the same.
 */
export async function testPglite(): Promise<Database> {
  const nodeModule = process.getBuiltinModule('node:module') // jest does not wrap this one
  const { PGlite } = nodeModule.createRequire(__filename)(
    '@electric-sql/pglite',
  ) as typeof import('@electric-sql/pglite')
  return PgliteDatabase.wrap(new PGlite())
}

/**
 * Listens on an ephemeral port. supertest given a bare app starts a new server (a new port, so a
 * new Host header and a new cache key) for every request; one server keeps the cache key stable.
 */
export function listen(app: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)))
  })
}

export function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}
