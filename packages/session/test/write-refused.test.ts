import { fromIoredis } from '@rediware/redis'
import { expressVersions } from '@rediware/test-utils'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { type SessionStoreEvent, session } from '../src/index.js'
import { dedicatedRedis } from './helpers.js'

describe('Redis out of memory: reads work, session writes are refused (dedicated server)', () => {
  const redis = dedicatedRedis({ maxRetriesPerRequest: 0 })

  afterEach(async () => {
    await redis.raw.config('SET', 'maxmemory', '0')
  })

  test.each(expressVersions)(
    'a refused write answers 503, reads go on, reported once ($name)',
    async ({ create, name }) => {
      const { raw, unhandled } = redis
      const events: SessionStoreEvent[] = []
      const middleware = session({
        redis: fromIoredis(raw),
        secret: 'an-out-of-memory-test-secret-0123456',
        prefix: `oom:${name}:`,
        onEvent: (event) => events.push(event),
      })
      const app = create()
      app.use(middleware)
      app.get('/me', (req: Request, res: Response) => {
        res.json({ views: req.session.views ?? 0 })
      })
      app.post('/views', (req: Request, res: Response) => {
        req.session.views = (req.session.views ?? 0) + 1
        res.json({ views: req.session.views })
      })
      app.use(
        (error: Error & { status?: number; code?: string }, _req: Request, res: Response, _next: NextFunction) => {
          res.status(error.status ?? 500).json({ code: error.code })
        },
      )
      const agent = request.agent(app)
      await agent.post('/views').expect(200, { views: 1 })

      await raw.config('SET', 'maxmemory-policy', 'noeviction')
      await raw.config('SET', 'maxmemory', '1')
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await agent.post('/views').expect(503, { code: 'ERR_SESSION_STORE_UNAVAILABLE' })
        await agent.get('/me').expect(200, { views: 1 })
      }
      expect(events.map((event) => event.type)).toEqual(['store-unavailable'])

      await raw.config('SET', 'maxmemory', '0')
      await agent.post('/views').expect(200, { views: 2 })
      expect(events.map((event) => event.type)).toEqual(['store-unavailable', 'store-recovered'])
      await new Promise((resolve) => setImmediate(resolve))
      expect(unhandled).toEqual([])
    },
  )
})
