import { memoryClient, type RedisClient } from '@rediware/redis'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import { type Algorithm, rateLimit } from '@rediware/rate-limit'
import request from 'supertest'

const algorithmsUnderTest: Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket', 'sliding-log']
const costs = [1, 2, 5, 1, 3, 0, 2, 9, 1, 1, 4, 1]

// Each Lua script and its TypeScript twin (memory backend) must decide the same sequence the same way.
describeBackends(
  'Lua scripts and their local twins agree',
  (backend) => {
    test.each(algorithmsUnderTest)('%s', async (algorithm) => {
      const run = async (redis: RedisClient, prefix: string) => {
        const app = expressVersions[1].create()
        const key = `parity-${algorithm}-${Date.now()}`
        app.get(
          '/',
          rateLimit({
            redis,
            prefix,
            algorithm,
            key: () => key,
            cost: (req) => Number(req.query.cost),
            blockCache: false,
            policies: [
              { name: 'short', limit: 8, window: '1 h' },
              { name: 'long', limit: 12, window: '1 d' },
            ],
            handler: (req, res) => {
              res.status(429).json(req.rateLimit)
            },
          }),
          (req, res) => {
            res.json(req.rateLimit)
          },
        )
        const outcomes: unknown[] = []
        for (const cost of costs) {
          const res = await request(app).get(`/?cost=${cost}`)
          expect(res.body.source).toBe('redis')
          outcomes.push([
            res.status,
            res.body.policies.map((policy: { remaining: number; allowed: boolean; retryAfterMs: number }) => [
              policy.allowed,
              policy.remaining,
              policy.retryAfterMs === -1 ? 'never' : policy.retryAfterMs > 0,
            ]),
          ])
        }
        return outcomes
      }
      const real = await run(backend.client(), backend.prefix)
      const twin = await run(memoryClient(), 'twin:')
      expect(real).toEqual(twin)
    })
  },
  { only: ['ioredis', 'cluster', 'upstash'] },
)
