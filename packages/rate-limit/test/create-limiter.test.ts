import { fromIoredis } from '@rediware/redis'
import { describeBackends, expressVersions, findFreePort } from '@rediware/test-utils'
import { Redis } from 'ioredis'
import request from 'supertest'
import { createLimiter, type LimiterOptions, rateLimit } from '@rediware/rate-limit'

let counter = 0
const uniqueKey = () => `job-${Date.now()}-${counter++}`

describeBackends('createLimiter outside HTTP', (backend) => {
  const options = (extra: Partial<LimiterOptions> = {}): LimiterOptions => ({
    redis: backend.client(),
    prefix: backend.prefix,
    ...extra,
  })

  test('limit(key, { cost }) returns the decision object; a cost that does not fit is refused and not charged', async () => {
    const limiter = createLimiter(options({ limit: 5, window: '1 h' }))
    const key = uniqueKey()
    const first = await limiter.limit(key, { cost: 2 })
    expect(first).toMatchObject({
      key,
      allowed: true,
      cost: 2,
      limit: 5,
      remaining: 3,
      used: 2,
      source: 'redis',
      violated: [],
    })
    expect(first.resetTime).toBeInstanceOf(Date)
    expect((await limiter.limit(key, { cost: 2 })).remaining).toBe(1)
    const refused = await limiter.limit(key, { cost: 2 })
    expect(refused).toMatchObject({ allowed: false, remaining: 1, violated: ['default'] })
    expect(refused.retryAfterMs).toBeGreaterThan(0)
    expect(await limiter.limit(key)).toMatchObject({ allowed: true, remaining: 0 })
    expect((await limiter.get(key))[0]?.remaining).toBe(0)
    await limiter.resetKey(key)
    expect((await limiter.limit(key, { cost: 0 })).remaining).toBe(5)
  })

  test('policies are all or nothing; a per-call limit replaces the configured one; limit 0 refuses', async () => {
    const limiter = createLimiter(
      options({
        policies: [
          { name: 'burst', limit: 2, window: '1 m' },
          { name: 'daily', limit: 3, window: '1 d' },
        ],
      }),
    )
    const key = uniqueKey()
    expect((await limiter.limit(key)).allowed).toBe(true)
    expect((await limiter.limit(key)).allowed).toBe(true)
    const refused = await limiter.limit(key)
    expect(refused.violated).toEqual(['burst'])
    expect(refused.policies.find((policy) => policy.name === 'daily')?.remaining).toBe(1)

    const tiered = createLimiter(options({ limit: 1, window: '1 h' }))
    const tierKey = uniqueKey()
    const statuses = []
    for (let index = 0; index < 4; index++) statuses.push((await tiered.limit(tierKey, { limit: 3 })).allowed)
    expect(statuses).toEqual([true, true, true, false])
    expect((await tiered.get(tierKey, 3))[0]).toMatchObject({ limit: 3, remaining: 0 })
    expect((await tiered.limit(uniqueKey(), { limit: 0 })).allowed).toBe(false)
  })

  test.each(expressVersions.map((version) => [version.name, version] as const))(
    'rateLimit() and createLimiter() with the same options count in the same keys (%s)',
    async (_name, version) => {
      const key = uniqueKey()
      const limiter = createLimiter(options({ limit: 3, window: '1 h' }))
      const app = version.create()
      app.get('/', rateLimit({ ...options({ limit: 3, window: '1 h' }), key: () => key }), (_req, res) => {
        res.send('ok')
      })
      expect((await request(app).get('/')).status).toBe(200)
      expect((await limiter.limit(key, { cost: 2 })).remaining).toBe(0)
      expect((await request(app).get('/')).status).toBe(429)
    },
  )

  test('unknown or HTTP-only options are refused', () => {
    expect(() => createLimiter({ ...options({ limit: 1 }), key: () => 'k' } as LimiterOptions)).toThrow(
      /createLimiter: unknown option "key"/,
    )
  })
})

describe('createLimiter when Redis is unreachable: the same outage policy as rateLimit()', () => {
  let raw: Redis
  beforeAll(async () => {
    raw = new Redis(await findFreePort(), '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
  })
  afterAll(() => raw.disconnect())

  test.each([
    ['fallback', true, 'fallback'],
    ['allow', true, 'allow-on-error'],
    ['deny', false, 'deny-on-error'],
  ] as const)("onStoreError '%s'", async (onStoreError, allowed, source) => {
    const errors: unknown[] = []
    const limiter = createLimiter({
      redis: fromIoredis(raw, { timeout: 200 }),
      limit: 1,
      window: '1 m',
      onStoreError,
      onError: (error) => errors.push(error),
    })
    const first = await limiter.limit('k')
    expect(first).toMatchObject({ allowed, source })
    await limiter.limit('k')
    expect(errors).toHaveLength(1)
  })
})
