import { describeBackends, waitFor } from '@rediware/test-utils'
import type { Server } from 'node:http'
import request from 'supertest'
import type { Database } from '../src/db/database.js'
import { alice, bob, close, exampleApp, listen, sessionCookie, testPglite } from './helpers.js'

// One embedded PGlite for the file (its start-up is the slow part); every test gets its own Redis
// key prefix, so rate limits, cache entries and sessions never leak between tests or backends.
let db: Database
beforeAll(async () => {
  db = await testPglite()
}, 60_000)
afterAll(async () => {
  await db?.close()
})

describeBackends('example app', (backend) => {
  let counter = 0
  const servers: Server[] = []
  const app = async (env: Record<string, string> = {}) => {
    const server = await listen(exampleApp(backend.client(), db, `${backend.prefix}${++counter}:`, env))
    servers.push(server)
    return server
  }
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close))
  })

  it('reports the backend on /health', async () => {
    const response = await request(await app())
      .get('/health')
      .expect(200)
    expect(response.body).toEqual({ backend: backend.client().kind, state: 'ready', reachable: true })
  })

  it('serves products from the database, then from the cache (MISS, then HIT with Age)', async () => {
    const server = await app()
    const first = await request(server).get('/api/products/1').expect(200)
    expect(first.headers['x-cache']).toBe('MISS')
    expect(first.body.product).toMatchObject({ id: 1, name: 'Redis mug' })
    const second = await request(server).get('/api/products/1').expect(200)
    expect(second.headers['x-cache']).toBe('HIT')
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(0)
    expect(second.body).toEqual(first.body)

    const list = await request(server).get('/api/products').expect(200)
    expect(list.headers['x-cache']).toBe('MISS')
    expect(list.body.products.length).toBeGreaterThanOrEqual(6)
    expect((await request(server).get('/api/products').expect(200)).headers['x-cache']).toBe('HIT')

    await request(server).get('/api/products/999').expect(404)
    await request(server).get('/api/products/abc').expect(400)
  })

  it('serves a stale product at once after the TTL (STALE) while one refresh runs', async () => {
    const server = await app({ PRODUCT_CACHE_TTL: '1', PRODUCT_CACHE_SWR: '1 m' })
    const first = await request(server).get('/api/products/4').expect(200)
    expect(first.headers['x-cache']).toBe('MISS')
    let stale: request.Response | undefined
    await waitFor(
      async () => {
        const response = await request(server).get('/api/products/4').expect(200)
        if (response.headers['x-cache'] === 'STALE') stale = response
        return stale !== undefined
      },
      { description: 'a STALE read of /api/products/4 (TTL 1 ms)', timeout: 5000 },
    )
    expect(stale?.body).toEqual(first.body)
    expect(stale?.headers.age).toBeDefined()
  })

  it('PUT writes the database, then invalidates the product and the list', async () => {
    const server = await app()
    const agent = request.agent(server)
    await agent.put('/api/products/3').send({ priceCents: 1 }).expect(401)
    await agent.post('/api/login').send(alice).expect(200)

    expect((await agent.get('/api/products/3').expect(200)).headers['x-cache']).toBe('MISS')
    const cached = await agent.get('/api/products/3').expect(200)
    expect(cached.headers['x-cache']).toBe('HIT')
    await agent.get('/api/products').expect(200)
    expect((await agent.get('/api/products').expect(200)).headers['x-cache']).toBe('HIT')

    const price = cached.body.product.priceCents + 100
    const put = await agent.put('/api/products/3').send({ priceCents: price }).expect(200)
    expect(put.body).toMatchObject({ product: { id: 3, priceCents: price }, invalidated: true })
    expect((await db.getProduct(3))?.priceCents).toBe(price)

    const after = await agent.get('/api/products/3').expect(200)
    expect(after.headers['x-cache']).toBe('MISS')
    expect(after.body.product.priceCents).toBe(price)
    const list = await agent.get('/api/products').expect(200)
    expect(list.headers['x-cache']).toBe('MISS')
    expect(list.body.products.find((p: { id: number }) => p.id === 3).priceCents).toBe(price)

    // Another spelling of the same product (issue 14.4): /api/products/03 is product 3, fresh too.
    const alias = await agent.get('/api/products/03').expect(200)
    expect(alias.body.product.priceCents).toBe(price)
    expect((await agent.get('/api/products/03').expect(200)).headers['x-cache']).toBe('HIT')
    await agent
      .put('/api/products/3')
      .send({ priceCents: price + 1 })
      .expect(200)
    expect((await agent.get('/api/products/03').expect(200)).body.product.priceCents).toBe(price + 1)

    await agent.put('/api/products/3').send({ priceCents: -5 }).expect(400)
    await agent.put('/api/products/3').send({ color: 'red' }).expect(400)
    await agent.put('/api/products/999').send({ stock: 1 }).expect(404)
  })

  it('logs in (rotating the session id), shows /api/me, logs out for good', async () => {
    const server = await app()
    await request(server).get('/api/me').expect(401)
    const wrong = await request(server)
      .post('/api/login')
      .send({ ...alice, password: 'nope' })
      .expect(401)
    expect(sessionCookie(wrong)).toBeUndefined()
    await request(server).post('/api/login').send({ email: 'nobody@example.com', password: 'x' }).expect(401)
    await request(server).post('/api/login').send({ email: 42 }).expect(400)

    const login = await request(server).post('/api/login').send(alice).expect(200)
    expect(login.body.user).toEqual({ id: 'u-alice', email: alice.email, name: 'Alice' })
    const first = sessionCookie(login)
    expect(first).toBeDefined()
    const me = await request(server)
      .get('/api/me')
      .set('Cookie', first ?? '')
      .expect(200)
    expect(me.body.user.email).toBe(alice.email)
    expect(typeof me.body.session.loggedInAt).toBe('number')

    // Logging in again from the same session rotates its id: the old cookie stops working.
    const again = await request(server)
      .post('/api/login')
      .set('Cookie', first ?? '')
      .send(alice)
      .expect(200)
    const second = sessionCookie(again)
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
    await request(server)
      .get('/api/me')
      .set('Cookie', first ?? '')
      .expect(401)
    await request(server)
      .get('/api/me')
      .set('Cookie', second ?? '')
      .expect(200)

    await request(server)
      .post('/api/logout')
      .set('Cookie', second ?? '')
      .expect(200, { loggedOut: true })
    await request(server)
      .get('/api/me')
      .set('Cookie', second ?? '')
      .expect(401)
  })

  it('lists the user’s sessions; logout-all ends the other ones (and this one unless keepCurrent)', async () => {
    const server = await app()
    const laptop = request.agent(server)
    const phone = request.agent(server)
    const other = request.agent(server)
    await laptop.post('/api/login').send(bob).expect(200)
    await phone.post('/api/login').send(bob).expect(200)
    await other.post('/api/login').send(alice).expect(200)

    const listed = await laptop.get('/api/sessions').expect(200)
    expect(listed.body.sessions).toHaveLength(2)
    expect(listed.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1)
    expect(JSON.stringify(listed.body)).not.toContain('rw.sid')

    const kept = await laptop.post('/api/logout-all').send({ keepCurrent: true }).expect(200)
    expect(kept.body).toEqual({ revoked: 1, keptCurrent: true })
    await phone.get('/api/me').expect(401)
    await laptop.get('/api/me').expect(200)
    await other.get('/api/me').expect(200) // another user is untouched
    expect((await laptop.get('/api/sessions').expect(200)).body.sessions).toHaveLength(1)

    await phone.post('/api/login').send(bob).expect(200)
    const everywhere = await laptop.post('/api/logout-all').expect(200)
    expect(everywhere.body).toEqual({ revoked: 2, keptCurrent: false })
    await phone.get('/api/me').expect(401)
    await laptop.get('/api/me').expect(401)
    await laptop.post('/api/logout-all').expect(401)
  })

  it('limits wrong passwords per IP and account: 429 with Retry-After, even for the right password', async () => {
    const server = await app({ LOGIN_IP_ACCOUNT_LIMIT: '3', LOGIN_IP_ACCOUNT_WINDOW: '1 m' })
    for (let attempt = 0; attempt < 3; attempt++) {
      await request(server)
        .post('/api/login')
        .send({ ...bob, password: 'wrong' })
        .expect(401)
    }
    const limited = await request(server).post('/api/login').send(bob).expect(429)
    const retryAfter = Number(limited.headers['retry-after'])
    expect(Number.isInteger(retryAfter)).toBe(true)
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(limited.headers['ratelimit-policy']).toContain('"ip-account";q=3;w=60')
    expect(limited.body['violated-policies']).toEqual(['ip-account'])
    // Another account from the same IP is not affected by bob's limit.
    await request(server).post('/api/login').send(alice).expect(200)
  })

  it('limits logins per IP across accounts', async () => {
    const server = await app({ LOGIN_IP_LIMIT: '2' })
    await request(server)
      .post('/api/login')
      .send({ ...alice, password: 'wrong' })
      .expect(401)
    await request(server)
      .post('/api/login')
      .send({ ...bob, password: 'wrong' })
      .expect(401)
    const limited = await request(server)
      .post('/api/login')
      .send({ email: 'carol@example.com', password: 'x' })
      .expect(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(limited.body['violated-policies']).toEqual(['ip'])
  })

  it('rate-limits all of /api, and the burst endpoint more tightly', async () => {
    const server = await app({ API_RATE_LIMIT: '4', BURST_RATE_LIMIT: '2' })
    await request(server).get('/api/ping').expect(200)
    await request(server).get('/api/ping').expect(200)
    const burst = await request(server).get('/api/ping').expect(429)
    expect(Number(burst.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    await request(server).get('/api/info').expect(200)
    const api = await request(server).get('/api/products/2').expect(429)
    expect(api.headers['ratelimit-policy']).toContain('q=4')
    await request(server).get('/health').expect(200) // outside /api
  })
})
