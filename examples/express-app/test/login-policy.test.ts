import type { Server } from 'node:http'
import { describeBackends } from '@rediware/test-utils'
import request from 'supertest'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { DEVICE_COOKIE } from '../src/device-cookie.js'
import { bob, close, exampleApp, listen, testPglite } from './helpers.js'

// The login policy of README "Login limits": strangers cannot lock an account out for more than a
// minute, whatever they send and from however many IPs, while guessing stays slow.
let db: Database
beforeAll(async () => {
  db = await testPglite()
}, 60_000)
afterAll(async () => {
  await db?.close()
})

const wrong = { ...bob, password: 'wrong-password' }
let nextIp = 0
/** A fresh IPv4 address from TEST-NET-3 (the app trusts one proxy, so X-Forwarded-For is the client). */
const freshIp = () => `203.0.113.${(nextIp++ % 250) + 1}`

function deviceCookie(response: request.Response): string | undefined {
  const raw: unknown = response.headers['set-cookie']
  const list = Array.isArray(raw) ? raw.map(String) : []
  return list.find((cookie) => cookie.startsWith(`${DEVICE_COOKIE}=`))?.split(';')[0]
}

describeBackends('login policy', (backend) => {
  let counter = 0
  const servers: Server[] = []
  const app = async (env: Record<string, string> = {}) => {
    const server = await listen(
      exampleApp(backend.client(), db, `${backend.prefix}${++counter}:`, { TRUST_PROXY: '1', ...env }),
    )
    servers.push(server)
    return server
  }
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close))
  })

  it('60 wrong passwords from 60 foreign IPs: the owner logs in from a known device at once, and a new device waits at most a minute', async () => {
    const server = await app()
    const ownerIp = '198.51.100.7'
    const owner = request.agent(server) // the owner's browser: keeps whatever cookies a login sets
    await owner.post('/api/login').set('X-Forwarded-For', ownerIp).send(bob).expect(200)

    const attacks = await Promise.all(
      Array.from({ length: 60 }, () =>
        request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(wrong),
      ),
    )
    // The owner's own browser (its device cookie), from the usual IP or anywhere else.
    await owner.post('/api/login').set('X-Forwarded-For', ownerIp).send(bob).expect(200)
    await owner.post('/api/login').set('X-Forwarded-For', freshIp()).send(bob).expect(200)

    // A device the account has never seen: blocked for at most one refill interval (a minute), never a day.
    const newDevice = await request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(bob)
    expect(newDevice.status).toBe(429)
    const retryAfter = Number(newDevice.headers['retry-after'])
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(newDevice.body['violated-policies']).toEqual(['account'])
    // …while the strangers got the account's burst for unknown clients, then were slowed.
    expect(attacks.filter((r) => r.status === 401).length).toBe(10)
    expect(attacks.filter((r) => r.status === 429).length).toBe(50)
  })

  it('a device cookie counts for its own account only, and a forged or foreign one counts as none', async () => {
    const server = await app({ LOGIN_ACCOUNT_BURST: '2' })
    const device = deviceCookie(await request(server).post('/api/login').send(bob).expect(200))
    for (let i = 0; i < 2; i++)
      await request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(wrong).expect(401)
    await request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(bob).expect(429)
    const forged = `${DEVICE_COOKIE}=${'A'.repeat(22)}.${'B'.repeat(43)}`
    await request(server)
      .post('/api/login')
      .set('X-Forwarded-For', freshIp())
      .set('Cookie', forged)
      .send(bob)
      .expect(429)
    await request(server)
      .post('/api/login')
      .set('Cookie', device ?? '')
      .send(bob)
      .expect(200)
    // Signed for bob: on alice's account it is an unknown client like any other.
    await request(server)
      .post('/api/login')
      .set('Cookie', device ?? '')
      .send({ email: 'alice@example.com', password: 'x' })
      .expect(401)
  })

  it('a known device is limited on its own: guessing with a stolen device cookie blocks that cookie only', async () => {
    const server = await app({ LOGIN_DEVICE_LIMIT: '3' })
    const stolen = deviceCookie(await request(server).post('/api/login').send(bob).expect(200))
    for (let i = 0; i < 3; i++)
      await request(server)
        .post('/api/login')
        .set('Cookie', stolen ?? '')
        .send(wrong)
        .expect(401)
    const blocked = await request(server)
      .post('/api/login')
      .set('Cookie', stolen ?? '')
      .send(bob)
      .expect(429)
    expect(blocked.body['violated-policies']).toEqual(['device'])
    const other = deviceCookie(
      await request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(bob).expect(200),
    )
    await request(server)
      .post('/api/login')
      .set('Cookie', other ?? '')
      .send(bob)
      .expect(200)
  })

  it('slows guessing: per IP and account, per IP across accounts, per account across IPs', async () => {
    const server = await app({ LOGIN_IP_ACCOUNT_LIMIT: '3', LOGIN_IP_LIMIT: '5', LOGIN_ACCOUNT_BURST: '4' })
    const ip = freshIp()
    for (let i = 0; i < 3; i++)
      await request(server).post('/api/login').set('X-Forwarded-For', ip).send(wrong).expect(401)
    const pair = await request(server).post('/api/login').set('X-Forwarded-For', ip).send(wrong).expect(429)
    expect(pair.body['violated-policies']).toEqual(['ip-account'])
    expect(Number(pair.headers['retry-after'])).toBeLessThanOrEqual(60)

    const stuffer = freshIp()
    for (let i = 0; i < 5; i++) {
      await request(server)
        .post('/api/login')
        .set('X-Forwarded-For', stuffer)
        .send({ email: `user${i}@example.com`, password: 'x' })
        .expect(401)
    }
    const stuffing = await request(server)
      .post('/api/login')
      .set('X-Forwarded-For', stuffer)
      .send({ email: 'user9@example.com', password: 'x' })
      .expect(429)
    expect(stuffing.body['violated-policies']).toEqual(['ip'])

    // bob already took 3 of his 4 unknown-client failures above; one more IP, then the account is slowed.
    await request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(wrong).expect(401)
    const spread = await request(server).post('/api/login').set('X-Forwarded-For', freshIp()).send(wrong).expect(429)
    expect(spread.body['violated-policies']).toEqual(['account'])
  })

  it('only wrong passwords count: successes, bad input and refusals are refunded', async () => {
    const server = await app({ LOGIN_IP_ACCOUNT_LIMIT: '2', LOGIN_ACCOUNT_BURST: '2' })
    const ip = freshIp()
    for (let i = 0; i < 5; i++) {
      await request(server).post('/api/login').set('X-Forwarded-For', ip).send(bob).expect(200)
      await request(server)
        .post('/api/login')
        .set('X-Forwarded-For', ip)
        .send({ email: bob.email, password: 7 })
        .expect(400)
    }
    await request(server).post('/api/login').set('X-Forwarded-For', ip).send(wrong).expect(401)
    await request(server).post('/api/login').set('X-Forwarded-For', ip).send(bob).expect(200)
  })
})

describe('login policy configuration', () => {
  it('refuses the removed per-account settings and an account interval over a minute, naming the fix', () => {
    expect(() => loadConfig({ LOGIN_ACCOUNT_DAILY_LIMIT: '50' })).toThrow(
      /LOGIN_ACCOUNT_DAILY_LIMIT is no longer read.*LOGIN_ACCOUNT_BURST/,
    )
    expect(() => loadConfig({ LOGIN_ACCOUNT_LIMIT: '5' })).toThrow(/LOGIN_ACCOUNT_LIMIT is no longer read/)
    expect(() => loadConfig({ LOGIN_ACCOUNT_INTERVAL: '2 m' })).toThrow(/LOGIN_ACCOUNT_INTERVAL must be at most 1 m/)
    expect(loadConfig({ LOGIN_ACCOUNT_INTERVAL: '30 s' }).loginAccount).toEqual({ burst: 10, intervalMs: 30_000 })
  })
})
