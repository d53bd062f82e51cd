import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { type ClientOptions, fromIoredis, fromNodeRedis, type ClientState, type RedisClient } from '@rediware/redis'
import { startRedisServer, type RedisServerHandle } from '@rediware/test-utils'

interface Connection {
  client: RedisClient
  end(): void
}

/** Each TCP adapter over its driver, reconnecting every 50 ms. */
const adapters: [string, (url: string, options: ClientOptions) => Promise<Connection>][] = [
  [
    'ioredis',
    async (url, options) => {
      const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
      return { client: fromIoredis(redis, options), end: () => redis.disconnect() }
    },
  ],
  [
    'node-redis',
    async (url, options) => {
      const redis = createClient({ url, socket: { reconnectStrategy: () => 50 } })
      redis.on('error', () => undefined)
      await redis.connect()
      return { client: fromNodeRedis(redis, options), end: () => redis.destroy() }
    },
  ],
]

describe.each(adapters)('deadlines and the circuit breaker (%s, dedicated server)', (_name, connect) => {
  let server: RedisServerHandle
  let connection: Connection
  let client: RedisClient
  const states: ClientState[] = []

  beforeAll(async () => {
    server = await startRedisServer()
    connection = await connect(server.url, { timeout: 150, breaker: { failureThreshold: 3, cooldown: 300 } })
    client = connection.client
    client.onStateChange((state) => states.push(state))
    await client.ping()
  })

  afterAll(async () => {
    await client.close()
    connection.end()
    await server.stop()
  })

  it('rejects with ERR_REDIS_TIMEOUT within the deadline while the server is paused', async () => {
    const pause = server.pause(600)
    await pause
    const started = Date.now()
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_REDIS_TIMEOUT' })
    expect(Date.now() - started).toBeLessThan(400)
    await expect(client.get('k', { timeout: 2000 })).resolves.toBeNull()
    expect(client.state).toBe('ready')
  })

  it('fails within the deadline when the server is killed, opens the breaker, then fails fast', async () => {
    await server.kill()
    const outcomes: string[] = []
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const started = Date.now()
      const error = await client.set('k', 'v').catch((caught: { code?: string }) => caught)
      expect(Date.now() - started).toBeLessThan(400)
      outcomes.push((error as { code?: string }).code ?? 'resolved')
    }
    expect(outcomes.every((code) => code === 'ERR_REDIS_TIMEOUT' || code === 'ERR_REDIS_UNAVAILABLE')).toBe(true)
    expect(client.state).toBe('down')
    const started = Date.now()
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_REDIS_CIRCUIT_OPEN' })
    expect(Date.now() - started).toBeLessThan(20)
  })

  it('probes after the cool-down and closes when the server is back, with nothing replayed from a queue', async () => {
    await server.restart()
    const started = Date.now()
    let value: string | null | undefined
    while (Date.now() - started < 5000) {
      value = await client.get('k').catch(() => undefined)
      if (value !== undefined) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(value).toBeNull()
    expect(client.state).toBe('ready')
    expect(states).toEqual(expect.arrayContaining(['degraded', 'down', 'ready']))
    expect(states.indexOf('down')).toBeLessThan(states.lastIndexOf('ready'))
  })
})

describe('a node-redis client that was never connected', () => {
  it('fails at once, saying to connect it', async () => {
    const redis = createClient({ url: 'redis://127.0.0.1:1' })
    const client = fromNodeRedis(redis, { timeout: 100 })
    await expect(client.get('k')).rejects.toMatchObject({
      code: 'ERR_REDIS_UNAVAILABLE',
      message: expect.stringMatching(/connect\(\)/),
    })
  })
})

describe('a client that never connected', () => {
  it('does not hang when the server does not exist', async () => {
    const redis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
      lazyConnect: true,
    })
    redis.on('error', () => undefined)
    const client = fromIoredis(redis, { timeout: 100 })
    const started = Date.now()
    await expect(client.get('k')).rejects.toMatchObject({
      code: expect.stringMatching(/ERR_REDIS_(TIMEOUT|UNAVAILABLE)/),
    })
    expect(Date.now() - started).toBeLessThan(300)
    redis.disconnect()
  })
})
