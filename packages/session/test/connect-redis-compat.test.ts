import { describeBackends, describeExpress } from '@rediware/test-utils'
import RedisStore7 from 'connect-redis7'
import { RedisStore as RedisStore8 } from 'connect-redis8'
import type { Store } from 'express-session'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { buildApp } from './app.js'
import { sessionData } from './helpers.js'

// connect-redis 7 and 8 speak ioredis over TCP only (not Upstash REST, not our memory backend).
describeBackends(
  'switching from connect-redis',
  (backend) => {
    const peers = [
      ['connect-redis 7', (prefix: string): Store => new RedisStore7({ client: backend.raw(), prefix })],
      ['connect-redis 8', (prefix: string): Store => new RedisStore8({ client: backend.raw(), prefix })],
    ] as const

    describeExpress('app', (createApp, version) => {
      test.each(peers)(
        'a user logged in under %s stays logged in after the switch, and can go back',
        async (name, makePeer) => {
          const prefix = `${backend.prefix}cr${version}${name.slice(-1)}:`
          const before = buildApp(createApp, makePeer(prefix) as unknown as RedisStore)
          const login = await request(before).post('/cart/tea').expect(200)
          const cookie = String(login.headers['set-cookie']).split(';')[0] ?? ''
          const sid: string = login.body.sid

          const store = new RedisStore({ redis: backend.client(), prefix })
          const after = buildApp(createApp, store)
          expect((await request(after).get('/me').set('Cookie', cookie).expect(200)).body.cart).toEqual(['tea'])
          await request(after).post('/cart/cake').set('Cookie', cookie).expect(200)

          // rollback: connect-redis reads what we wrote
          const back = await request(before).get('/me').set('Cookie', cookie).expect(200)
          expect(back.body.cart).toEqual(['tea', 'cake'])
          expect(back.body.sid).toBe(sid)
        },
      )
    })

    test.each(peers)('%s data read through the Store API', async (name, makePeer) => {
      const prefix = `${backend.prefix}api${name.slice(-1)}:`
      const peer = makePeer(prefix)
      const data = sessionData(
        { userId: 'u9' },
        { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000).toISOString() },
      )
      await new Promise<void>((resolve, reject) =>
        peer.set('p1', data, (error: unknown) => (error ? reject(error) : resolve())),
      )
      const store = new RedisStore({ redis: backend.client(), prefix })
      expect(await store.get('p1')).toEqual(data)
      expect(await store.ids()).toEqual(['p1'])
    })
  },
  { only: ['ioredis'] },
)
