import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { memoryClient, type RedisClient } from '@rediware/redis'
import request from 'supertest'
import type { Database } from '../src/db/database.js'
import { alice, close, exampleApp, listen, sessionCookie, testPglite } from './helpers.js'

// CSRF: every state-changing route refuses what a foreign page can make a browser send (src/cross-site.ts).
let db: Database
let redis: RedisClient
let server: Server
let host: string
let counter = 0
beforeAll(async () => {
  db = await testPglite()
  redis = memoryClient()
}, 60_000)
afterAll(async () => {
  await redis?.close()
  await db?.close()
})
beforeEach(async () => {
  server = await listen(exampleApp(redis, db, `csrf-${++counter}:`, { TRUSTED_ORIGINS: 'https://admin.example.com' }))
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(async () => {
  await close(server)
})

async function loggedIn(): Promise<string> {
  const cookie = sessionCookie(await request(server).post('/api/login').send(alice).expect(200))
  if (cookie === undefined) throw new Error('no session cookie')
  return cookie
}

const stillLoggedIn = async (cookie: string) => request(server).get('/api/me').set('Cookie', cookie).expect(200)

describe('state-changing requests from another site are refused', () => {
  const routes: Array<[method: 'post' | 'put', path: string]> = [
    ['post', '/api/logout'],
    ['post', '/api/logout-all'],
    ['post', '/api/login'],
    ['put', '/api/products/1'],
    ['post', '/api/no-such-route'],
  ]

  test.each(routes)('%s %s: a cross-site form post (Fetch Metadata and Origin)', async (method, path) => {
    const cookie = await loggedIn()
    const reply = await request(server)
      [method](path)
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send('keepCurrent=false&email=alice%40example.com&password=x&priceCents=1')
      .expect(403)
    expect(reply.body.error).toMatch(/^cross-site request refused: the browser says it comes from another site/)
    await stillLoggedIn(cookie)
  })

  test.each(routes)(
    '%s %s: text/plain from a foreign Origin, without Fetch Metadata (older browsers)',
    async (method, path) => {
      const cookie = await loggedIn()
      const reply = await request(server)
        [method](path)
        .set('Cookie', cookie)
        .set('Origin', 'https://evil.example')
        .type('text/plain')
        .send('{}')
        .expect(403)
      expect(reply.body.error).toMatch(/its Origin is not this site/)
      await stillLoggedIn(cookie)
    },
  )

  test('same-site (a sibling subdomain) and Origin: null are refused too', async () => {
    const cookie = await loggedIn()
    await request(server).post('/api/logout').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-site').expect(403)
    await request(server).post('/api/logout').set('Cookie', cookie).set('Origin', 'null').expect(403)
    await request(server).post('/api/logout').set('Cookie', cookie).set('Origin', 'not a url').expect(403)
    await stillLoggedIn(cookie)
  })

  test('neither header: a form content type is refused (a forged form from a very old browser), naming the fix', async () => {
    const cookie = await loggedIn()
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain;charset=UTF-8',
    ]) {
      const reply = await request(server)
        .post('/api/logout-all')
        .set('Cookie', cookie)
        .set('Content-Type', type)
        .send('x')
        .expect(403)
      expect(reply.body.error).toMatch(/send JSON/)
    }
    await stillLoggedIn(cookie)
  })
})

describe('what passes', () => {
  test('same-origin fetch (Sec-Fetch-Site: same-origin, Origin of this host), and user-initiated (none)', async () => {
    const cookie = await loggedIn()
    await request(server)
      .put('/api/products/2')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .set('Origin', `http://${host}`)
      .send({ stock: 5 })
      .expect(200)
    await request(server)
      .put('/api/products/2')
      .set('Cookie', cookie)
      .set('Origin', `http://${host}`)
      .send({ stock: 6 })
      .expect(200)
    await request(server)
      .post('/api/logout-all')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'none')
      .send({ keepCurrent: true })
      .expect(200)
    await request(server).post('/api/logout').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin').expect(200)
  })

  test('a trusted origin (TRUSTED_ORIGINS) passes even cross-site', async () => {
    const cookie = await loggedIn()
    await request(server)
      .post('/api/logout')
      .set('Cookie', cookie)
      .set('Origin', 'https://admin.example.com')
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(200)
  })

  test('non-browser clients (curl, supertest): JSON bodies and bodyless requests pass', async () => {
    const cookie = await loggedIn()
    await request(server).post('/api/logout-all').set('Cookie', cookie).send({ keepCurrent: true }).expect(200)
    await request(server).post('/api/logout').set('Cookie', cookie).expect(200)
  })

  test('safe methods are never checked', async () => {
    await request(server)
      .get('/api/products/1')
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .expect(200)
    await request(server).head('/api/products/1').set('Sec-Fetch-Site', 'cross-site').expect(200)
  })

  test('TRUSTED_ORIGINS must be origins', async () => {
    expect(() => exampleApp(redis, db, 'x:', { TRUSTED_ORIGINS: 'https://a.example/path' })).toThrow(
      /TRUSTED_ORIGINS must be comma-separated origins/,
    )
  })
})
