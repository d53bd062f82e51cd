import { createHmac } from 'node:crypto'
import { hashKeyPart } from '@rediware/redis'
import { describeBackends, describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { buildApp, newGate } from './app.js'
import { countingClient } from './helpers.js'

describeBackends('sessions over HTTP', (backend) => {
  describeExpress('app', (createApp, version) => {
    let counter = 0
    const newStore = (extra: Record<string, unknown> = {}, redis = backend.client()) => {
      counter += 1
      return new RedisStore({
        redis,
        prefix: `${backend.prefix}h${version}${counter}:`,
        userId: (s) => s.userId,
        absoluteTimeout: '30 d',
        ...extra,
      })
    }

    test('login, read, logout', async () => {
      const store = newStore()
      const agent = request.agent(buildApp(createApp, store))
      expect((await agent.get('/me')).body.userId).toBeNull()
      const login = await agent.post('/login/alice').expect(200)
      const cookie = String(login.headers['set-cookie'])
      expect(cookie).toMatch(/HttpOnly/i)
      expect((await agent.get('/me')).body.userId).toBe('alice')
      expect((await agent.post('/views')).body.views).toBe(1)
      expect((await agent.post('/views')).body.views).toBe(2)
      const sid: string = (await agent.get('/me')).body.sid
      await agent.post('/logout').expect(200)
      expect((await agent.get('/me')).body.userId).toBeNull()
      expect(await store.get(sid)).toBeNull()
      expect(await store.length()).toBe(0)
    })

    test('an unchanged request costs one Redis call, a changed one two', async () => {
      const counting = countingClient(backend.client())
      const store = newStore({}, counting.client)
      const agent = request.agent(buildApp(createApp, store))
      await agent.post('/login/dana').expect(200)
      await agent.post('/views').expect(200)

      const before = counting.calls()
      await agent.get('/me').expect(200)
      expect(counting.names.slice(before)).toEqual(['script:session-read'])

      const beforeWrite = counting.calls()
      await agent.post('/views').expect(200)
      expect(counting.names.slice(beforeWrite)).toEqual(['script:session-read', 'script:session-write'])
    })

    test('a session written by connect-redis is read, upgraded once, then costs one call per request', async () => {
      const counting = countingClient(backend.client())
      const store = newStore({}, counting.client)
      const app = buildApp(createApp, store)
      const sid = `legacy${version}`
      const maxAge = 3_600_000
      const legacy = {
        cookie: {
          originalMaxAge: maxAge,
          expires: new Date(Date.now() + maxAge).toISOString(),
          httpOnly: true,
          path: '/',
        },
        userId: 'old-timer',
      }
      await backend.client().set(`${store.prefix}${sid}`, JSON.stringify(legacy), { px: 1000 })
      const signature = createHmac('sha256', 'a-test-secret-that-is-long-enough-123')
        .update(sid)
        .digest('base64')
        .replace(/=+$/, '')
      const cookie = `connect.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`
      const before = counting.calls()
      const me = await request(app).get('/me').set('Cookie', cookie).expect(200)
      expect(me.body.userId).toBe('old-timer')
      // the first request stores it in our format once (and indexes its user) ...
      expect(counting.names.slice(before, before + 2)).toEqual(['script:session-read', 'script:session-write'])
      expect(await backend.client().pttl(`${store.prefix}${sid}`)).toBeGreaterThan(maxAge - 60_000)
      expect(await store.listUserSessions('old-timer')).toHaveLength(1)
      // ... after which an unchanged request costs one call
      const second = counting.calls()
      expect((await request(app).get('/me').set('Cookie', cookie).expect(200)).body.userId).toBe('old-timer')
      expect(counting.names.slice(second)).toEqual(['script:session-read'])
    })

    test('logout racing a slow request: the slow save does not resurrect the session', async () => {
      const gate = newGate()
      const store = newStore()
      const app = buildApp(createApp, store, { gate })
      const agent = request.agent(app)
      await agent.post('/login/erin').expect(200)
      const sid: string = (await agent.get('/me')).body.sid

      const slow = agent.get('/slow').then((response) => response)
      await gate.entered
      await agent.post('/logout').expect(200)
      gate.release()
      expect((await slow).status).toBe(200)

      expect(await store.get(sid)).toBeNull()
      expect(await backend.client().exists([`${store.prefix}${sid}`])).toBe(0)
      expect((await agent.get('/me')).body.userId).toBeNull()
    })

    test('revoke all sessions of a user across three logins', async () => {
      const store = newStore()
      const app = buildApp(createApp, store)
      const agents = [request.agent(app), request.agent(app), request.agent(app)]
      for (const agent of agents) await agent.post('/login/bob').expect(200)
      const carol = request.agent(app)
      await carol.post('/login/carol').expect(200)

      const [first, second, third] = agents
      if (!first || !second || !third) throw new Error('agents')
      const firstSid: string = (await first.get('/me')).body.sid
      const listed = await store.listUserSessions('bob', { current: firstSid })
      expect(listed).toHaveLength(3)
      expect(listed.filter((entry) => entry.current)).toHaveLength(1)
      for (const entry of listed) {
        expect(entry.idHash).not.toContain(firstSid)
        expect(entry.createdAt).toBeGreaterThan(0)
        expect(entry.lastSeenAt).toBeGreaterThanOrEqual(entry.createdAt)
      }

      expect((await first.post('/logout-everywhere').expect(200)).body.revoked).toBe(2)
      expect((await first.get('/me')).body.userId).toBe('bob')
      expect((await second.get('/me')).body.userId).toBeNull()
      expect((await third.get('/me')).body.userId).toBeNull()
      expect((await carol.get('/me')).body.userId).toBe('carol')
      expect(await store.listUserSessions('bob')).toHaveLength(1)

      // the index expires with its sessions, and drops sessions that are gone
      const indexKey = `${store.prefix.replace(/:$/, '')}-user:${hashKeyPart('bob')}`
      const indexTtl = await backend.client().pttl(indexKey)
      expect(indexTtl).toBeGreaterThan(29 * 86_400_000)
      expect(indexTtl).toBeLessThanOrEqual(30 * 86_400_000)
      await backend.client().del(`${store.prefix}${firstSid}`)
      expect(await store.listUserSessions('bob')).toEqual([])
      expect(await backend.client().zcard(indexKey)).toBe(0)
    })

    test('maxSessionsPerUser evicts the oldest session', async () => {
      const store = newStore({ maxSessionsPerUser: 2 })
      const app = buildApp(createApp, store)
      const agents = [request.agent(app), request.agent(app), request.agent(app)]
      for (const agent of agents) await agent.post('/login/frank').expect(200)
      const users = await Promise.all(agents.map(async (agent) => (await agent.get('/me')).body.userId))
      expect(users).toEqual([null, 'frank', 'frank'])
      expect(await store.listUserSessions('frank')).toHaveLength(2)
    })

    test('rotation: new id, same data, the old id is dead', async () => {
      const store = newStore()
      const app = buildApp(createApp, store)
      const agent = request.agent(app)
      const first = await agent.post('/cart/apple').expect(200)
      const oldSid: string = first.body.sid
      const oldCookie = String(first.headers['set-cookie']).split(';')[0] ?? ''
      await agent.post('/login/gina').expect(200)
      const me = (await agent.get('/me')).body
      expect(me.sid).not.toBe(oldSid)
      expect(me.userId).toBe('gina')
      expect(me.cart).toEqual(['apple'])
      expect(await store.get(oldSid)).toBeNull()
      const withOld = await request(app).get('/me').set('Cookie', oldCookie)
      expect(withOld.body.userId).toBeNull()
      expect(withOld.body.cart).toEqual([])
    })
  })
})
