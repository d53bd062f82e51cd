import { Redis } from 'ioredis'
import { fromIoredis, type RedisClient } from '@rediware/redis'
import { startRedisServer, type RedisServerHandle } from '@rediware/test-utils'

interface Outcome {
  code: string
  at: number
}

describe('deadlines of many calls on one client (ioredis, dedicated server)', () => {
  let server: RedisServerHandle
  let redis: Redis
  let client: RedisClient

  beforeAll(async () => {
    server = await startRedisServer()
    redis = new Redis(server.url)
    client = fromIoredis(redis, { timeout: 100, breaker: { failureThreshold: 1000 } })
    await client.ping({ timeout: 5000 })
  })

  afterAll(async () => {
    await client.close()
    redis.disconnect()
    await server.stop()
  })

  it('expires each call at its own deadline, lengths interleaved, and leaves longer ones alone', async () => {
    await client.set('k', 'v', { timeout: 5000 })
    await server.pause(800)
    const started = Date.now()
    const outcome = (pending: Promise<unknown>): Promise<Outcome> =>
      pending.then(
        () => ({ code: 'resolved', at: Date.now() - started }),
        (error: { code?: string }) => ({ code: error.code ?? 'unknown', at: Date.now() - started }),
      )
    const calls: { expected: number; result: Promise<Outcome> }[] = []
    for (let index = 0; index < 30; index += 1) {
      const timeout = index % 3 === 0 ? 250 : undefined
      calls.push({
        expected: timeout ?? 100,
        result: outcome(client.get('k', timeout === undefined ? undefined : { timeout })),
      })
    }
    const later = new Promise<void>((resolve) => setTimeout(resolve, 60)).then(() => outcome(client.get('k')))
    const patient = outcome(client.get('k', { timeout: 5000 }))
    for (const call of calls) {
      const { code, at } = await call.result
      expect(code).toBe('ERR_REDIS_TIMEOUT')
      expect(at).toBeGreaterThanOrEqual(call.expected - 1)
      expect(at).toBeLessThan(call.expected + 250)
    }
    const late = await later
    expect(late.code).toBe('ERR_REDIS_TIMEOUT')
    expect(late.at).toBeGreaterThanOrEqual(159)
    expect(late.at).toBeLessThan(160 + 250)
    expect((await patient).code).toBe('resolved')
    await expect(client.get('k', { timeout: 5000 })).resolves.toBe('v')
  })

  it('never rejects a call that was answered before its deadline', async () => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, index) => client.incr(`n${index % 7}`, { timeout: 3000 })),
    )
    expect([...replies].sort((a, b) => a - b).at(-1)).toBeGreaterThanOrEqual(29)
    // The queue's timer fires after every call was answered and must reject none of them.
    await new Promise((resolve) => setTimeout(resolve, 3100))
    await expect(client.get('k', { timeout: 3000 })).resolves.toBe('v')
  })
})
