import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import { memoryClient, type RedisClient } from '@rediware/redis'
import pg from 'pg'
import request from 'supertest'
import { openDatabase } from '../src/db/open-database.js'
import type { Database } from '../src/db/database.js'
import { alice, close, exampleApp, listen } from './helpers.js'

// The PostgreSQL the test machine provides (trust auth). Override with EXAMPLE_TEST_DATABASE_URL.
const url = process.env.EXAMPLE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
// A schema of our own, dropped afterwards: nothing else in the database is touched.
const schema = `rediware_example_${randomBytes(6).toString('hex')}`

let admin: pg.Client | undefined
let db: Database | undefined
let redis: RedisClient
let server: Server

beforeAll(async () => {
  admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await admin.connect()
  } catch (error) {
    admin = undefined
    throw new Error(
      `PostgreSQL is not reachable at ${url} (${error instanceof Error ? error.message : String(error)}). ` +
        'This test needs a PostgreSQL server with a database "test" that user postgres can use without a password ' +
        '(e.g. apt-get install postgresql, trust auth for 127.0.0.1), or EXAMPLE_TEST_DATABASE_URL pointing at one.',
    )
  }
  db = await openDatabase({ DATABASE_URL: url, DATABASE_SCHEMA: schema })
  redis = memoryClient()
  server = await listen(exampleApp(redis, db, 'pg-test:'))
}, 30_000)

afterAll(async () => {
  if (server) await close(server)
  await redis?.close()
  await db?.close()
  if (admin) {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.end()
  }
})

describe('example app on PostgreSQL (DATABASE_URL)', () => {
  it('creates and seeds its tables in the configured schema', async () => {
    expect(db?.kind).toBe('postgres')
    const { rows } = await (admin as pg.Client).query(`SELECT count(*)::int AS n FROM "${schema}".products`)
    expect(rows[0].n).toBeGreaterThanOrEqual(6)
    const users = await (admin as pg.Client).query(`SELECT email, password_hash FROM "${schema}".users ORDER BY email`)
    expect(users.rows.map((row) => row.email)).toEqual(['alice@example.com', 'bob@example.com'])
    expect(users.rows[0].password_hash).toMatch(/^scrypt\$16384\$8\$1\$/)
  })

  it('reads products through the cache and writes PostgreSQL before invalidating', async () => {
    const agent = request.agent(server)
    expect((await agent.get('/api/products/5').expect(200)).headers['x-cache']).toBe('MISS')
    const hit = await agent.get('/api/products/5').expect(200)
    expect(hit.headers['x-cache']).toBe('HIT')

    await agent.post('/api/login').send(alice).expect(200)
    const price = hit.body.product.priceCents + 250
    await agent.put('/api/products/5').send({ priceCents: price, stock: 7 }).expect(200)
    const { rows } = await (admin as pg.Client).query(
      `SELECT price_cents, stock FROM "${schema}".products WHERE id = 5`,
    )
    expect(rows[0]).toEqual({ price_cents: price, stock: 7 })

    const after = await agent.get('/api/products/5').expect(200)
    expect(after.headers['x-cache']).toBe('MISS')
    expect(after.body.product).toMatchObject({ priceCents: price, stock: 7 })
  })

  it('seeding again (a restart) keeps existing rows', async () => {
    const again = await openDatabase({ DATABASE_URL: url, DATABASE_SCHEMA: schema })
    try {
      expect((await again.getProduct(5))?.stock).toBe(7)
    } finally {
      await again.close()
    }
  })
})
