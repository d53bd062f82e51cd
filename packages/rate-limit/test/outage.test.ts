import { fromIoredis, type RedisClient } from '@rediware/redis'
import { expressVersions, type RedisServerHandle, startRedisServer, waitFor } from '@rediware/test-utils'
import { Redis } from 'ioredis'
import request from 'supertest'
import { rateLimit, type RateLimitOptions } from '@rediware/rate-limit'

let server: RedisServerHandle
let raw: Redis
let client: RedisClient

beforeAll(async () => {
  server = await startRedisServer()
  raw = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50, lazyConnect: false })
  client = fromIoredis(raw, { timeout: 200, breaker: { failureThreshold: 3, cooldown: 200 } })
  await client.ping()
})

afterAll(async () => {
  raw.disconnect()
  await server.stop()
})

function app(options: Partial<RateLimitOptions>) {
  const instance = expressVersions[1].create()
  instance.get(
    '/',
    rateLimit({
      redis: client,
      limit: 3,
      window: '1 h',
      key: () => 'outage-key',
      prefix: `o${Date.now()}:`,
      ...options,
    }),
    (req, res) => {
      res.json({ source: req.rateLimit?.source })
    },
  )
  return instance
}

test('Redis killed mid-run: fallback within the timeout, reported once, back to Redis after restart', async () => {
  const errors: unknown[] = []
  const limited = app({ onError: (error) => errors.push(error) })
  const first = await request(limited).get('/')
  expect(first.body.source).toBe('redis')

  await server.kill()
  const sources: string[] = []
  const statuses: number[] = []
  for (let index = 0; index < 5; index++) {
    const started = performance.now()
    const res = await request(limited).get('/')
    expect(performance.now() - started).toBeLessThan(1_000)
    statuses.push(res.status)
    if (res.status === 200) sources.push(res.body.source)
  }
  // The in-process fallback enforces the same policy (limit 3) on its own counts.
  expect(statuses).toEqual([200, 200, 200, 429, 429])
  expect(sources).toEqual(['fallback', 'fallback', 'fallback'])
  expect(errors).toHaveLength(1)

  await server.restart()
  await waitFor(async () => (await request(limited).get('/')).body.source === 'redis', {
    description: 'the limiter to use Redis again',
    timeout: 10_000,
  })
  expect(errors).toHaveLength(1)
})

test('a slow Redis (CLIENT PAUSE) does not hold the request past the timeout', async () => {
  await waitFor(
    async () =>
      client.state === 'ready' &&
      (await client.ping().then(
        () => true,
        () => false,
      )),
    {
      description: 'Redis to be ready',
      timeout: 10_000,
    },
  )
  const errors: unknown[] = []
  const limited = app({ onError: (error) => errors.push(error), timeout: 150 })
  await server.pause(1_500)
  const started = performance.now()
  const res = await request(limited).get('/')
  expect(performance.now() - started).toBeLessThan(800)
  expect(res.status).toBe(200)
  expect(res.body.source).toBe('fallback')
  expect(errors).toHaveLength(1)
})

test("onStoreError 'deny' answers 503 and 'allow' lets the request through", async () => {
  await server.kill()
  const denied = await request(app({ onStoreError: 'deny', onError: () => undefined })).get('/')
  expect(denied.status).toBe(503)
  expect(denied.headers['content-type']).toMatch(/problem\+json/)
  const allowed = await request(app({ onStoreError: 'allow', onError: () => undefined })).get('/')
  expect(allowed.status).toBe(200)
  expect(allowed.body.source).toBe('allow-on-error')
  await server.restart()
})
