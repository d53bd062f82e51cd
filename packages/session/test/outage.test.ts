import { fromIoredis } from '@rediware/redis'
import { expressVersions, waitFor } from '@rediware/test-utils'
import request from 'supertest'
import { RedisStore, type SessionStoreEvent } from '../src/index.js'
import { buildApp } from './app.js'
import { dedicatedRedis, sessionData } from './helpers.js'

describe('Redis killed mid-run (dedicated server)', () => {
  const redis = dedicatedRedis({ maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50 })

  test.each(expressVersions)(
    'fail (503) and anonymous policies, reported once per outage ($name)',
    async ({ create, name }) => {
      const { server, raw, unhandled } = redis
      const client = fromIoredis(raw, { timeout: 200, breaker: { failureThreshold: 3, cooldown: 100 } })
      const events: SessionStoreEvent[] = []
      const failing = new RedisStore({ redis: client, prefix: `${name}:f:`, onEvent: (event) => events.push(event) })
      const anonymous = new RedisStore({
        redis: client,
        prefix: `${name}:a:`,
        onStoreError: 'anonymous',
        onEvent: () => undefined,
      })
      const failAgent = request.agent(buildApp(create, failing))
      const anonAgent = request.agent(buildApp(create, anonymous))
      await failAgent.post('/login/ivan').expect(200)
      await anonAgent.post('/login/jane').expect(200)

      await server.kill()
      const started = Date.now()
      const down = await failAgent.get('/me')
      expect(down.status).toBe(503)
      expect(down.body.code).toBe('ERR_SESSION_STORE_UNAVAILABLE')
      expect(Date.now() - started).toBeLessThan(2000)
      expect((await failAgent.get('/me')).status).toBe(503)
      expect((await failAgent.post('/views')).status).toBe(503)

      const anon = await anonAgent.get('/me').expect(200)
      expect(anon.body.userId).toBeNull()
      const anonWrite = await anonAgent.post('/views').expect(200)
      expect(anonWrite.body.views).toBe(1)

      // calls without a callback never cause an unhandled rejection
      void failing.destroy('nobody')
      void failing.set('nobody', sessionData())
      failing.get('nobody', () => undefined)

      expect(events.filter((event) => event.type === 'store-unavailable')).toHaveLength(1)

      await server.restart()
      await new Promise<void>((resolve) => (raw.status === 'ready' ? resolve() : raw.once('ready', () => resolve())))
      // The breaker lets a probe through after its cooldown; retry until the store answers (bounded).
      await waitFor(async () => (await failAgent.get('/me')).status === 200, {
        description: 'the store to answer again',
        timeout: 5000,
      })
      expect(events.filter((event) => event.type === 'store-recovered')).toHaveLength(1)
      await failAgent.post('/login/ivan').expect(200)
      expect((await failAgent.get('/me')).body.userId).toBe('ivan')
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    },
  )
})
