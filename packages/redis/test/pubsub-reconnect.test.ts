import { Redis } from 'ioredis'
import { fromIoredis, fromUpstash, type RedisClient } from '@rediware/redis'
import { rawCommand, startRedisServer, type RedisServerHandle, waitFor } from '@rediware/test-utils'
import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'
import { Redis as UpstashRedis } from '@upstash/redis'

/** Subscriber connections the server has (CLIENT LIST TYPE pubsub). */
async function pubsubConnections(server: RedisServerHandle): Promise<number> {
  const list = await rawCommand(server, ['CLIENT', 'LIST', 'TYPE', 'pubsub'])
  return String(list)
    .split('\n')
    .filter((line) => line.trim() !== '').length
}

describe('pub/sub over ioredis (dedicated server)', () => {
  let server: RedisServerHandle
  let redis: Redis
  let client: RedisClient

  beforeAll(async () => {
    server = await startRedisServer()
  })

  beforeEach(async () => {
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    client = fromIoredis(redis, { timeout: 300, breaker: { failureThreshold: 1000 } })
    await client.ping({ timeout: 5000 })
  })

  afterEach(async () => {
    await client.close()
    redis.disconnect()
  })

  afterAll(async () => {
    await server.stop()
  })

  it('uses one subscriber connection for every subscription and channel of the connection', async () => {
    const other = fromIoredis(redis)
    const subscriptions = [
      client.subscribe(['a', 'b'], () => undefined),
      client.subscribe(['b', 'c', 'd'], () => undefined),
      other.subscribe(['e'], () => undefined),
    ]
    await Promise.all(subscriptions.map((subscription) => subscription.ready({ timeout: 5000 })))
    expect(await pubsubConnections(server)).toBe(1)
    expect(await rawCommand(server, ['PUBSUB', 'NUMSUB', 'a', 'b', 'e'])).toEqual(['a', 1, 'b', 1, 'e', 1])
    await other.close()
    await waitFor(async () => (await rawCommand(server, ['PUBSUB', 'NUMSUB', 'e']))?.toString() === 'e,0', {
      description: 'e unsubscribed when its client closed',
    })
    await Promise.all(subscriptions.map((subscription) => subscription.close()))
    await waitFor(async () => (await pubsubConnections(server)) === 0, {
      description: 'the subscriber connection closed',
    })
    expect(redis.status).toBe('ready')
  })

  it('resubscribes after the server restarts, calls onSubscribe again, and delivers what follows', async () => {
    const messages: string[] = []
    const subscribed: string[][] = []
    const errors: Error[] = []
    const subscription = client.subscribe(['x', 'y'], (message) => messages.push(message), {
      onSubscribe: (channels) => subscribed.push([...channels].sort()),
      onError: (error) => errors.push(error),
    })
    await subscription.ready({ timeout: 5000 })
    await server.restart()
    await waitFor(() => subscribed.length >= 2, { description: 'the second onSubscribe', timeout: 10_000 })
    expect(subscribed[0]).toEqual(['x', 'y'])
    expect(subscribed.flat().sort()).toEqual(['x', 'x', 'y', 'y'])
    expect(errors.length).toBeGreaterThanOrEqual(1)
    await waitFor(async () => (await client.publish('y', 'after').catch(() => 0)) === 1, {
      description: 'a receiver for y',
    })
    await waitFor(() => messages.includes('after'), { description: 'the message after the restart' })
    await subscription.close()
  })

  it('rejects publish within the deadline while the server is down, and closes without waiting for it', async () => {
    const subscription = client.subscribe('z', () => undefined)
    await subscription.ready({ timeout: 5000 })
    await server.kill()
    try {
      const started = Date.now()
      await expect(client.publish('z', 'lost')).rejects.toMatchObject({
        code: expect.stringMatching(/ERR_REDIS_(TIMEOUT|UNAVAILABLE)/),
      })
      expect(Date.now() - started).toBeLessThan(1000)
      const closing = Date.now()
      await client.close()
      expect(Date.now() - closing).toBeLessThan(500)
    } finally {
      await server.restart()
    }
  })

  it('puts the ioredis keyPrefix in front of channels, on publish and subscribe alike', async () => {
    const prefixed = new Redis(server.url, { keyPrefix: 'app:' })
    const prefixedClient = fromIoredis(prefixed)
    try {
      const messages: string[] = []
      const subscription = prefixedClient.subscribe('room', (message, channel) =>
        messages.push(`${channel}=${message}`),
      )
      await subscription.ready({ timeout: 5000 })
      expect(await rawCommand(server, ['PUBSUB', 'CHANNELS', '*room'])).toEqual(['app:room'])
      expect(await prefixedClient.publish('room', 'hi')).toBe(1)
      await waitFor(() => messages.length === 1, { description: 'the prefixed message' })
      expect(messages).toEqual(['room=hi'])
    } finally {
      await prefixedClient.close()
      prefixed.disconnect()
    }
  })
})

describe('pub/sub over Upstash REST (dedicated server and upstash-local)', () => {
  let server: RedisServerHandle
  let local: UpstashLocal

  beforeAll(async () => {
    server = await startRedisServer()
    local = await startUpstashLocal({ redisUrl: server.url, token: 'token', port: 0 })
  })

  afterAll(async () => {
    await local.close()
    await server.stop()
  })

  it('reopens the stream when Redis restarts under upstash-local, and calls onSubscribe again', async () => {
    const client = fromUpstash(new UpstashRedis({ url: local.url, token: 'token', enableTelemetry: false }), {
      timeout: 2000,
    })
    const messages: string[] = []
    let subscribed = 0
    const subscription = client.subscribe('feed', (message) => messages.push(message), {
      onSubscribe: () => {
        subscribed += 1
      },
    })
    try {
      await subscription.ready({ timeout: 5000 })
      await server.restart()
      await waitFor(() => subscribed >= 2, { description: 'the second onSubscribe', timeout: 15_000 })
      await waitFor(async () => (await client.publish('feed', 'back').catch(() => 0)) === 1, {
        description: 'a receiver',
      })
      await waitFor(() => messages.includes('back'), { description: 'the message after the restart' })
    } finally {
      await client.close()
    }
  })
})
