import { Ratelimit } from '@upstash/ratelimit'
import type { Redis as UpstashRedis } from '@upstash/redis'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { rateLimit, upstashCompat } from '@rediware/rate-limit'
import { parseSfList } from './helpers.js'

// The bridge wraps an @upstash/ratelimit instance: ioredis through upstashCompat, and @upstash/redis
// against upstash-local. Cluster is left out (Ratelimit's sliding window is multi-key) and memory has no raw client.
describeBackends(
  'rateLimit({ limiter }) over @upstash/ratelimit',
  (backend) => {
    test('same middleware: headers, 429 with Retry-After, reset', async () => {
      const raw = backend.raw()
      const redis = backend.name === 'ioredis' && raw ? upstashCompat(raw as never) : (raw as UpstashRedis)
      const ratelimit = new Ratelimit({
        redis: redis as never,
        limiter: Ratelimit.fixedWindow(3, '1 m'),
        prefix: `${backend.prefix}up`,
        analytics: false,
      })
      const key = `bridge-${Date.now()}`
      const limiter = rateLimit({ limiter: ratelimit, key: () => key })
      const app = expressVersions[1].create()
      app.get('/', limiter, (req, res) => {
        res.json(req.rateLimit?.source)
      })
      const statuses: number[] = []
      let last: request.Response | undefined
      for (let index = 0; index < 4; index++) {
        last = await request(app).get('/')
        statuses.push(last.status)
      }
      expect(statuses).toEqual([200, 200, 200, 429])
      expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(parseSfList(String(last?.headers.ratelimit))[0]?.params.r).toBe(0)
      await limiter.reset(key)
      const after = await request(app).get('/')
      expect(after.status).toBe(200)
      expect(after.body).toBe('upstash')
    })
  },
  { only: ['ioredis', 'upstash'] },
)
