import type { Server } from 'node:http'
import { memoryClient, type RedisClient } from '@rediware/redis'
import fc from 'fast-check'
import request from 'supertest'
import type { Database } from '../src/db/database.js'
import { alice, close, exampleApp, listen, sessionCookie, testPglite } from './helpers.js'

// Bad input gets a 400 that names the field and the rule, on every endpoint; no input gets a 5xx.
// The database is the embedded PostgreSQL (PGlite), which is what answered a NUL byte with an error.
const RUNS = Number(process.env.EXAMPLE_PROPERTY_RUNS ?? 120)
const roomy = {
  API_RATE_LIMIT: '1000000',
  BURST_RATE_LIMIT: '1000000',
  LOGIN_IP_LIMIT: '1000000',
  LOGIN_IP_DAILY_LIMIT: '1000000',
  LOGIN_IP_ACCOUNT_LIMIT: '1000000',
  LOGIN_ACCOUNT_BURST: '1000000',
  LOGIN_DEVICE_LIMIT: '1000000',
}

let db: Database
let redis: RedisClient
let server: Server
beforeAll(async () => {
  db = await testPglite()
  redis = memoryClient()
  server = await listen(exampleApp(redis, db, 'validation:', roomy))
}, 60_000)
afterAll(async () => {
  if (server) await close(server)
  await redis?.close()
  await db?.close()
})

async function login(): Promise<string> {
  const cookie = sessionCookie(await request(server).post('/api/login').send(alice).expect(200))
  if (cookie === undefined) throw new Error('no session cookie')
  return cookie
}

describe('bad input gets a 400 naming the field and the rule', () => {
  test('a NUL byte in the e-mail or in a product name', async () => {
    const email = await request(server)
      .post('/api/login')
      .send({ email: 'alice\u0000@example.com', password: 'x' })
      .expect(400)
    expect(email.body).toEqual({ error: 'email must not contain NUL (U+0000)' })
    const name = await request(server)
      .put('/api/products/1')
      .set('Cookie', await login())
      .send({ name: 'mug\u0000' })
      .expect(400)
    expect(name.body).toEqual({ error: 'name must not contain NUL (U+0000)' })
    expect((await db.getProduct(1))?.name).toBe('Redis mug')
  })

  test.each([
    [{ email: 'a\u0007@b.c', password: 'x' }, /^email must not contain control characters \(U\+0007\)$/],
    [{ email: 'a\ud800@b.c', password: 'x' }, /^email must be well-formed Unicode/],
    [{ email: `${'a'.repeat(250)}@b.co`, password: 'x' }, /^email must be at most 254 characters$/],
    [{ email: 'not-an-address', password: 'x' }, /^email must be an e-mail address/],
    [{ email: 'a@b.c', password: 'p\u0000' }, /^password must not contain NUL/],
    [{ email: 'a@b.c', password: 'x'.repeat(1025) }, /^password must be at most 1024 characters$/],
    [{ email: 'a@b.c' }, /^password must be a string$/],
    [
      { email: 'a@b.c', password: 'x', admin: true },
      /^the body has an unknown field "admin"; allowed: email, password$/,
    ],
    [['a@b.c', 'x'], /^the body must be a JSON object with email, password$/],
  ])('login %j', async (body, error) => {
    expect(
      (
        await request(server)
          .post('/api/login')
          .send(body as object)
          .expect(400)
      ).body.error,
    ).toMatch(error)
  })

  test('product writes and reads', async () => {
    const cookie = await login()
    const put = (path: string, body: unknown) =>
      request(server)
        .put(path)
        .set('Cookie', cookie)
        .send(body as object)
    expect((await put('/api/products/1', { priceCents: 1.5 }).expect(400)).body.error).toBe(
      'priceCents must be a whole number from 0 to 100000000',
    )
    expect((await put('/api/products/1', {}).expect(400)).body.error).toBe(
      'the body must set at least one of name, priceCents, stock',
    )
    expect((await put('/api/products/1', { name: '   ' }).expect(400)).body.error).toBe('name must not be empty')
    expect((await put('/api/products/0', { stock: 1 }).expect(400)).body.error).toBe(
      'id must be a positive integer up to 999999999',
    )
    expect((await request(server).get('/api/products/1e3').expect(400)).body.error).toMatch(
      /^id must be a positive integer/,
    )
    expect(
      (
        await request(server)
          .put('/api/products/1')
          .set('Cookie', cookie)
          .set('Sec-Fetch-Site', 'same-origin')
          .type('text/plain')
          .send('{"stock":1}')
          .expect(400)
      ).body.error,
    ).toMatch(/send it as JSON: Content-Type: application\/json/)
    expect((await request(server).post('/api/login').type('json').send('{"email":').expect(400)).body.error).toBe(
      'the request body is not valid JSON',
    )
    expect(
      (await request(server).post('/api/logout-all').set('Cookie', cookie).send({ keepCurrent: 'yes' }).expect(400))
        .body.error,
    ).toBe('keepCurrent must be true or false')
  })
})

describe('property: no generated request gets a 5xx', () => {
  const junkText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ maxLength: 20 }).map((text) => `${text}\u0000${text}`),
    fc.constantFrom('\ud800', 'a\udfffb', '\u0000', '', ' ', 'alice@example.com', 'x'.repeat(2000)),
  )
  // Mostly text: that is where NUL, control characters and broken UTF-16 hide.
  const anyValue = fc.oneof(
    { arbitrary: junkText, weight: 6 },
    { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), weight: 2 },
    { arbitrary: fc.array(junkText, { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), junkText, { maxKeys: 3 }), weight: 1 },
  )
  const field = fc.constantFrom('email', 'password', 'name', 'priceCents', 'stock', 'keepCurrent', 'extra', '__proto__')
  const body = fc.oneof(
    { arbitrary: fc.record({ email: anyValue, password: anyValue }), weight: 3 },
    {
      arbitrary: fc.record({ name: anyValue, priceCents: anyValue, stock: anyValue }, { requiredKeys: [] }),
      weight: 3,
    },
    { arbitrary: fc.dictionary(field, anyValue, { maxKeys: 4 }), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  )
  const raw = fc.record({
    type: fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/octet-stream',
    ),
    text: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('{"email":', '[1,2', '{"a":1}', 'null', '"x"'),
    ),
  })
  const idSegment = fc.oneof(
    fc.nat({ max: 20 }).map(String),
    fc.string({ unit: 'binary', maxLength: 12 }).map(encodeURIComponent),
    fc.constantFrom('%00', '%', '%E0%A4', '..', '-1', '1.5', '9'.repeat(20), '0x10', '%C0%80'),
  )
  const endpoint = fc.oneof(
    { arbitrary: fc.constant(['POST', '/api/login']), weight: 4 },
    {
      arbitrary: fc.tuple(
        fc.constantFrom('PUT', 'GET'),
        fc.nat({ max: 7 }).map((id) => `/api/products/${id}`),
      ),
      weight: 4,
    },
    {
      arbitrary: fc.tuple(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'POST'),
        idSegment.map((id) => `/api/products/${id}`),
      ),
      weight: 2,
    },
    {
      arbitrary: fc.constantFrom(
        ['GET', '/health'],
        ['GET', '/api/info'],
        ['GET', '/api/ping'],
        ['GET', '/api/products'],
        ['GET', '/api/me'],
        ['GET', '/api/sessions'],
        ['POST', '/api/logout'],
        ['POST', '/api/logout-all'],
        ['DELETE', '/api/sessions'],
      ),
      weight: 3,
    },
  )

  test(`${RUNS} runs over every endpoint, logged in or not, JSON and raw bodies`, async () => {
    await fc.assert(
      fc.asyncProperty(
        endpoint,
        fc.oneof(
          { arbitrary: body.map((json) => ({ json })), weight: 4 },
          { arbitrary: raw.map((r) => ({ raw: r })), weight: 1 },
        ),
        fc.boolean(),
        async ([method, path], payload, signedIn) => {
          let call = request(server)[method.toLowerCase() as 'get' | 'put' | 'post' | 'delete' | 'patch'](path)
          if (signedIn) call = call.set('Cookie', await login())
          if ('raw' in payload)
            call = call.set('Content-Type', payload.raw.type).send(Buffer.from(payload.raw.text, 'latin1'))
          else if (payload.json !== undefined && method !== 'GET')
            call = call.type('application/json').send(JSON.stringify(payload.json))
          const response = await call
          expect({ method, path, status: response.status }).toEqual({ method, path, status: expect.any(Number) })
          if (response.status >= 500)
            throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`)
          if (response.status === 400) expect(typeof response.body.error).toBe('string')
        },
      ),
      { numRuns: RUNS },
    )
  }, 120_000)
})
