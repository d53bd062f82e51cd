import { Redis as UpstashRedis } from '@upstash/redis'
import { Cluster, Redis } from 'ioredis'
import { createClient, memoryClient, toClient } from '@rediware/redis'

describe('toClient', () => {
  it('accepts each raw client by its public API', async () => {
    const redis = new Redis({ lazyConnect: true })
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true })
    const upstash = new UpstashRedis({ url: 'http://127.0.0.1:1', token: 't', enableTelemetry: false })
    expect(toClient(redis).kind).toBe('ioredis')
    expect(toClient(cluster).kind).toBe('cluster')
    expect(toClient(upstash).kind).toBe('upstash')
    const memory = memoryClient()
    expect(toClient(memory)).toBe(memory)
    redis.disconnect()
    cluster.disconnect()
  })

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    ['redis://localhost', 'the string "redis://localhost"'],
    [{ get: () => null }, 'an object'],
    [new Map(), 'an instance of Map'],
  ])('rejects %p with a TypeError that says what was given', (value, described) => {
    expect(() => toClient(value)).toThrow(TypeError)
    expect(() => toClient(value)).toThrow(`got ${described}`)
    expect(() => toClient(value)).toThrow(/ioredis Redis or Cluster, an @upstash\/redis Redis, or a RedisClient/)
  })
})

describe('createClient', () => {
  it('chooses the backend from the environment', async () => {
    const warnings: string[] = []
    const warn = (message: string) => warnings.push(message)
    const clients = [
      createClient({ REDIS_URL: 'redis://127.0.0.1:1' }, { warn }),
      createClient({ REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2' }, { warn }),
      createClient({ UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1', UPSTASH_REDIS_REST_TOKEN: 't' }, { warn }),
    ]
    expect(clients.map((client) => client.kind)).toEqual(['ioredis', 'cluster', 'upstash'])
    expect(warnings).toEqual([])
    await Promise.all(clients.map((client) => client.close()))
  })

  it('falls back to memory with one warning for the whole process', async () => {
    const warnings: string[] = []
    const first = createClient({}, { warn: (message) => warnings.push(message) })
    const second = createClient({}, { warn: (message) => warnings.push(message) })
    expect(first.kind).toBe('memory')
    expect(second.kind).toBe('memory')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/memory/i)
    await first.set('k', 'v')
    expect(await first.get('k')).toBe('v')
  })

  it('rejects half an Upstash configuration and bad cluster nodes', () => {
    expect(() => createClient({ UPSTASH_REDIS_REST_URL: 'http://x' })).toThrow(/UPSTASH_REDIS_REST_TOKEN/)
    expect(() => createClient({ REDIS_CLUSTER_NODES: 'nohostport' })).toThrow(/host:port/)
  })

  it('rejects bad client options at construction', () => {
    expect(() => memoryClient({ timeout: -1 })).toThrow(RangeError)
    expect(() => memoryClient({ timeout: -1 })).toThrow(/timeout/)
    expect(() => memoryClient({ breaker: { cooldown: 0 } })).toThrow(/breaker.cooldown/)
  })
})
