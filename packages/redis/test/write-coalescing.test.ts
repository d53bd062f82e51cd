import { Redis } from 'ioredis'
import { commands, fromIoredis } from '@rediware/redis'
import { ENV, requireEnv } from '@rediware/test-utils'

describe('concurrent commands on one ioredis connection', () => {
  let redis: Redis
  const prefix = `t:coalesce:${process.pid}:`

  beforeAll(() => {
    redis = new Redis(requireEnv(ENV.redisUrl))
  })

  afterAll(() => {
    redis.disconnect()
  })

  it('share a pipeline and each still gets its own reply or error', async () => {
    const client = fromIoredis(redis, { timeout: 5000 })
    await client.set(`${prefix}text`, 'abc')
    // monitor() opens a second connection: the watcher that opened it must be closed too.
    const watcher = new Redis(requireEnv(ENV.redisUrl))
    const monitor = await watcher.monitor()
    const seen: string[] = []
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (String(args[1] ?? '').startsWith(prefix)) seen.push(String(args[0]).toLowerCase())
    })
    try {
      const outcomes = await Promise.allSettled([
        ...Array.from({ length: 20 }, (_, index) => client.incr(`${prefix}n${index}`)),
        client.incr(`${prefix}text`),
        client.get(`${prefix}text`),
      ])
      expect(outcomes.slice(0, 20).map((outcome) => outcome.status === 'fulfilled' && outcome.value)).toEqual(
        Array.from({ length: 20 }, () => 1),
      )
      expect(outcomes[20]).toMatchObject({ status: 'rejected', reason: { code: 'ERR_REDIS_REPLY' } })
      expect(outcomes[21]).toEqual({ status: 'fulfilled', value: 'abc' })
      await client.batch([commands.ping()])
      expect(seen.filter((name) => name === 'incr')).toHaveLength(21)
    } finally {
      monitor.disconnect()
      watcher.disconnect()
    }
  })
})
