import { Redis as UpstashRedis } from '@upstash/redis'
import { Cluster, Redis } from 'ioredis'
import { createClient } from 'redis'
import {
  type ClientOptions,
  type ClientState,
  fromIoredis,
  fromNodeRedis,
  fromUpstash,
  type RedisClient,
} from '@rediware/redis'
import { startUpstashLocal } from '@rediware/upstash-local'
import { startRedisCluster, startRedisServer } from '@rediware/test-utils'

/** What a test does to the servers behind a client. */
interface Servers {
  pause(ms: number): Promise<void>
  kill(): Promise<void>
  restart(): Promise<void>
}

interface Connection {
  client: RedisClient
  servers: Servers
  end(): Promise<void>
}

/** One dedicated redis-server, killed, paused and restarted as a whole. */
async function dedicatedServer(): Promise<{ url: string; servers: Servers; stop(): Promise<void> }> {
  const server = await startRedisServer()
  return {
    url: server.url,
    servers: { pause: (ms) => server.pause(ms), kill: () => server.kill(), restart: () => server.restart() },
    stop: () => server.stop(),
  }
}

/** The same promises from every adapter: each over its driver, reconnecting every 50 ms. */
const adapters: [string, (options: ClientOptions) => Promise<Connection>][] = [
  [
    'ioredis',
    async (options) => {
      const server = await dedicatedServer()
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
      const client = fromIoredis(redis, options)
      return { client, servers: server.servers, end: async () => (redis.disconnect(), await server.stop()) }
    },
  ],
  [
    'node-redis',
    async (options) => {
      const server = await dedicatedServer()
      const redis = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } })
      redis.on('error', () => undefined)
      await redis.connect()
      const client = fromNodeRedis(redis, options)
      return { client, servers: server.servers, end: async () => (redis.destroy(), await server.stop()) }
    },
  ],
  [
    'upstash (upstash-local)',
    async (options) => {
      const server = await dedicatedServer()
      const local = await startUpstashLocal({ redisUrl: server.url, token: 'outage-token-0123456789', port: 0 })
      const client = fromUpstash(new UpstashRedis({ url: local.url, token: local.token, retry: false }), options)
      return { client, servers: server.servers, end: async () => (await local.close(), await server.stop()) }
    },
  ],
  [
    'cluster',
    async (options) => {
      const cluster = await startRedisCluster()
      const redis = new Cluster(
        cluster.nodes.map(({ host, port }) => ({ host, port })),
        { clusterRetryStrategy: () => 50, redisOptions: { maxRetriesPerRequest: 1 } },
      )
      redis.on('error', () => undefined)
      const client = fromIoredis(redis, options)
      const every = (act: (server: Servers) => Promise<void>) =>
        Promise.all(cluster.servers.map(act)).then(() => undefined)
      const servers: Servers = {
        pause: (ms) => every((server) => server.pause(ms)),
        kill: () => every((server) => server.kill()),
        restart: () => every((server) => server.restart()),
      }
      const end = async () => {
        redis.disconnect()
        await cluster.stop()
      }
      return { client, servers, end }
    },
  ],
]

describe.each(adapters)('deadlines and the circuit breaker (%s, dedicated servers)', (_name, connect) => {
  let servers: Servers
  let connection: Connection
  let client: RedisClient
  const states: ClientState[] = []

  beforeAll(async () => {
    connection = await connect({ timeout: 150, breaker: { failureThreshold: 3, cooldown: 300 } })
    servers = connection.servers
    client = connection.client
    client.onStateChange((state) => states.push(state))
    await client.ping()
  })

  afterAll(async () => {
    await client.close()
    await connection.end()
  })

  it('rejects with ERR_REDIS_TIMEOUT within the deadline while the servers are paused', async () => {
    await servers.pause(600)
    const started = Date.now()
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_REDIS_TIMEOUT' })
    expect(Date.now() - started).toBeLessThan(400)
    await expect(client.get('k', { timeout: 2000 })).resolves.toBeNull()
    expect(client.state).toBe('ready')
  })

  it('fails within the deadline when the servers are killed, opens the breaker, then fails fast', async () => {
    await servers.kill()
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

  it('probes after the cool-down and closes when the servers are back, with nothing replayed from a queue', async () => {
    await servers.restart()
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
