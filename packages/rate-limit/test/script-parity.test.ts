import { memoryClient, type RedisClient } from '@rediware/redis'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import { type Algorithm, rateLimit } from '@rediware/rate-limit'
import request from 'supertest'

const algorithmsUnderTest: Algorithm[] = ['auto', 'fixed-window', 'sliding-window', 'token-bucket', 'sliding-log']
const costs = [1, 2, 5, 1, 3, 0, 2, 9, 1, 1, 4, 1]
const policySets = {
  'two policies': [
    { name: 'short', limit: 8, window: '1 h' },
    { name: 'long', limit: 12, window: '1 d' },
  ],
  // Under auto, a sliding log and a token bucket in one call.
  'below and above the log bound': [
    { name: 'short', limit: 8, window: '1 h' },
    { name: 'big', limit: 1_500, window: '1 d' },
  ],
  // One policy takes the scripts' single-policy paths.
  'one policy': [{ name: 'only', limit: 8, window: '1 h' }],
} as const

// Each Lua script and its TypeScript twin (memory backend) must decide the same sequence the same way.
describeBackends(
  'Lua scripts and their local twins agree',
  (backend) => {
    test.each(
      algorithmsUnderTest.flatMap((algorithm) => Object.keys(policySets).map((set) => [algorithm, set] as const)),
    )('%s, %s', async (algorithm, set) => {
      const policies = policySets[set as keyof typeof policySets].map((policy) => ({ ...policy }))
      const run = async (redis: RedisClient, prefix: string) => {
        const app = expressVersions[1].create()
        const key = `parity-${algorithm}-${set}-${Date.now()}`
        app.get(
          '/',
          rateLimit({
            redis,
            prefix,
            algorithm,
            key: () => key,
            cost: (req) => Number(req.query.cost),
            blockCache: false,
            policies,
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
