import { Redis as UpstashRedis } from '@upstash/redis'
import { Cluster, Redis } from 'ioredis'
import { createClient as nodeRedis6, createCluster as nodeRedisCluster6 } from 'redis'
import { createClient as nodeRedis5, createCluster as nodeRedisCluster5 } from 'redis5'
import { commands, createClient, defineScript, memoryClient, toClient } from '@rediware/redis'
import { ENV, requireEnv } from '@rediware/test-utils'

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

  it('accepts node-redis 5 and 6 clients and clusters, as they are (no connection made)', () => {
    const url = 'redis://127.0.0.1:1'
    expect(toClient(nodeRedis6({ url })).kind).toBe('node-redis')
    expect(toClient(nodeRedis5({ url })).kind).toBe('node-redis')
    expect(toClient(nodeRedisCluster6({ rootNodes: [{ url }] })).kind).toBe('node-redis-cluster')
    expect(toClient(nodeRedisCluster5({ rootNodes: [{ url }] })).kind).toBe('node-redis-cluster')
    expect(toClient(nodeRedis6({ url })).capabilities).toEqual({
      shardedKeys: false,
      shardedPubSub: false,
      requestPerCall: false,
    })
    expect(toClient(nodeRedisCluster6({ rootNodes: [{ url }] })).capabilities).toEqual({
      shardedKeys: true,
      shardedPubSub: true,
      requestPerCall: false,
    })
  })

  it.each([
    ['node-redis 6 over RESP3', () => nodeRedis6({ url: requireEnv(ENV.redisUrl) })],
    ['node-redis 6 over RESP2', () => nodeRedis6({ url: requireEnv(ENV.redisUrl), RESP: 2 })],
    ['node-redis 5 over RESP2', () => nodeRedis5({ url: requireEnv(ENV.redisUrl) })],
    ['node-redis 5 over RESP3', () => nodeRedis5({ url: requireEnv(ENV.redisUrl), RESP: 3 })],
  ])('reads %s as RESP2 replies, and leaves the connection open on close()', async (_name, open) => {
    const raw = open()
    await raw.connect()
    const client = toClient(raw)
    const key = `t:to-client:${Math.random().toString(36).slice(2)}`
    try {
      await client.hset(key, { a: '1', b: '2' })
      expect(await client.hgetall(key)).toEqual({ a: '1', b: '2' })
      await client.zadd(`${key}z`, [{ score: 1.5, member: 'm' }])
      expect(await client.zscore(`${key}z`, 'm')).toBe(1.5)
      expect(await client.zrangeByScore(`${key}z`, '-inf', '+inf', { withScores: true })).toEqual(['m', '1.5'])
      await client.sadd(`${key}s`, ['x'])
      expect(await client.smembers(`${key}s`)).toEqual(['x'])
      await client.close()
      expect(raw.isOpen).toBe(true)
      expect(await raw.ping()).toBe('PONG')
      await raw.del([key, `${key}z`, `${key}s`])
    } finally {
      raw.destroy()
    }
  })

  it('puts a node-redis keyPrefix in front of keys and takes it off SCAN results', async () => {
    const prefix = `t:prefix:${Math.random().toString(36).slice(2)}:`
    const raw = nodeRedis6({ url: requireEnv(ENV.redisUrl), keyPrefix: prefix })
    const plain = nodeRedis6({ url: requireEnv(ENV.redisUrl) })
    await Promise.all([raw.connect(), plain.connect()])
    try {
      const client = toClient(raw)
      await client.set('k', 'v')
      expect(await plain.get(`${prefix}k`)).toBe('v')
      const keys: string[] = []
      for await (const page of client.scan({ match: 'k*' })) keys.push(...page)
      expect(keys).toEqual(['k'])
      await plain.del(`${prefix}k`)
    } finally {
      raw.destroy()
      plain.destroy()
    }
  })

  it.each([
    ['', false],
    [', with showFriendlyErrorStack', true],
  ])(
    'puts an ioredis keyPrefix in front of keys on every path and takes it off SCAN results%s',
    async (_, showFriendlyErrorStack) => {
      const prefix = `t:prefix:${Math.random().toString(36).slice(2)}:`
      const raw = new Redis(requireEnv(ENV.redisUrl), { keyPrefix: prefix, showFriendlyErrorStack })
      const plain = new Redis(requireEnv(ENV.redisUrl))
      const setAndRead = defineScript({
        name: 'set-and-read',
        keys: 1,
        lua: "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])",
        local: (redis, [key = ''], [value = '']) => {
          redis.call('SET', key, value)
          return redis.call('GET', key)
        },
      })
      try {
        const client = toClient(raw)
        await client.set('lone', 'v')
        // The turn's first call leaves at once, the others together at the end of the turn.
        await Promise.all([client.set('turn:1', 'v'), client.set('turn:2', 'v'), client.set('turn:3', 'v')])
        await client.batch([commands.set('batch:1', 'v'), commands.set('batch:2', 'v')])
        expect(await client.runScript(setAndRead, ['script'], ['v'])).toBe('v')
        expect(await client.getBuffer('lone')).toEqual(Buffer.from('v'))
        const written = ['lone', 'turn:1', 'turn:2', 'turn:3', 'batch:1', 'batch:2', 'script']
        expect(await plain.mget(written.map((key) => `${prefix}${key}`))).toEqual(written.map(() => 'v'))
        const keys: string[] = []
        for await (const page of client.scan({ match: '*' })) keys.push(...page)
        expect(keys.sort()).toEqual([...written].sort())
        await plain.del(written.map((key) => `${prefix}${key}`))
      } finally {
        raw.disconnect()
        plain.disconnect()
      }
    },
  )

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
