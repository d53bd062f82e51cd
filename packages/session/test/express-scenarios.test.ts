import { describeBackends, describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { buildApp } from './app.js'

describeBackends("express-session's store scenarios", (backend) => {
  describeExpress('app', (createApp, version) => {
    let counter = 0
    const newStore = () => {
      counter += 1
      return new RedisStore({ redis: backend.client(), prefix: `${backend.prefix}x${version}${counter}:` })
    }

    test('a session gone from the store gives a new session and a new id', async () => {
      const store = newStore()
      const agent = request.agent(buildApp(createApp, store))
      const first = await agent.post('/cart/pear').expect(200)
      const sid: string = first.body.sid
      await backend.client().del(`${store.prefix}${sid}`)
      const me = (await agent.get('/me')).body
      expect(me.cart).toEqual([])
      const again = await agent.post('/cart/plum').expect(200)
      expect(again.body.sid).not.toBe(sid)
      expect(again.body.cart).toEqual(['plum'])
    })

    test('an unsigned or tampered cookie is never looked up', async () => {
      const store = newStore()
      const app = buildApp(createApp, store)
      const first = await request(app).post('/cart/fig').expect(200)
      const sid: string = first.body.sid
      const forged = await request(app)
        .get('/me')
        .set('Cookie', `connect.sid=${encodeURIComponent(`s:${sid}.forged`)}`)
      expect(forged.body.cart).toEqual([])
      const raw = await request(app).get('/me').set('Cookie', `connect.sid=${sid}`)
      expect(raw.body.cart).toEqual([])
    })

    test('the stored cookie expiry follows maxAge; the Redis TTL matches it', async () => {
      const store = newStore()
      const agent = request.agent(buildApp(createApp, store, { maxAge: 120_000 }))
      const sid: string = (await agent.post('/cart/kiwi').expect(200)).body.sid
      const ttl = await backend.client().pttl(`${store.prefix}${sid}`)
      expect(ttl).toBeGreaterThan(100_000)
      expect(ttl).toBeLessThanOrEqual(120_000)
      const stored = await store.get(sid)
      // express-session derives originalMaxAge from the clock, so it may be a millisecond short
      expect(stored?.cookie.originalMaxAge).toBeGreaterThan(119_000)
      expect(stored?.cookie.originalMaxAge).toBeLessThanOrEqual(120_000)
    })
  })
})
