import { randomBytes } from 'node:crypto'
import { describeBackends, describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import { RedisStore } from '../src/index.js'
import { buildApp } from './app.js'

describeBackends('keySecret: session ids never in key names', (backend) => {
  describeExpress('app', (createApp, version) => {
    test('login, list, revoke and all() work on hashed keys with encryption', async () => {
      const store = new RedisStore({
        redis: backend.client(),
        prefix: `${backend.prefix}k${version}:`,
        keySecret: randomBytes(32),
        encryption: { keys: [randomBytes(32)] },
        userId: (s) => s.userId,
        absoluteTimeout: '1 d',
      })
      const app = buildApp(createApp, store)
      const first = request.agent(app)
      const second = request.agent(app)
      await first.post('/login/max').expect(200)
      await second.post('/login/max').expect(200)
      const sid: string = (await first.get('/me')).body.sid
      expect((await first.get('/me')).body.userId).toBe('max')

      expect(await backend.client().exists([`${store.prefix}${sid}`])).toBe(0)
      const ids = await store.ids()
      expect(ids).toHaveLength(2)
      expect(ids).not.toContain(sid)
      expect(await store.all()).toHaveLength(2)
      const listed = await store.listUserSessions('max', { current: sid })
      expect(listed.filter((entry) => entry.current)).toHaveLength(1)

      expect(await store.revokeUser('max', { except: sid })).toBe(1)
      expect((await first.get('/me')).body.userId).toBe('max')
      expect((await second.get('/me')).body.userId).toBeNull()
      await first.post('/logout').expect(200)
      expect(await store.length()).toBe(0)
      expect(await store.listUserSessions('max')).toEqual([])
    })
  })
})
