import { Cluster, Redis } from 'ioredis'
import { Redis as Upstash } from '@upstash/redis'
import { createRealtime, type Realtime } from '@rediware/realtime'
import {
  expressVersions,
  type RedisClusterHandle,
  type RedisServerHandle,
  startRedisCluster,
  startRedisServer,
  waitFor,
  openStream,
  type SseStream,
} from '@rediware/test-utils'
import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'
import { KeyLayout, keySlot } from '@rediware/redis'
import { type App, startApp } from './helpers.js'

const persistent = ['--appendonly', 'yes', '--appendfsync', 'always']

interface Setup {
  /** Two processes' realtime instances on the same backend. */
  publisher: Realtime
  streamer: Realtime
  errors: Error[]
  stop(): Promise<void>
  restart(): Promise<void>
  close(): Promise<void>
}

type Factory = () => Promise<{
  publisherRedis: object
  streamerRedis: object
  stop(): Promise<void>
  restart(): Promise<void>
  close(): Promise<void>
}>

function build(factory: Factory): () => Promise<Setup> {
  return async () => {
    const backend = await factory()
    const errors: Error[] = []
    const options = { prefix: 'out:', heartbeat: 50, timeout: '1 s' as const, warn: () => undefined }
    const publisher = createRealtime({ ...options, redis: backend.publisherRedis, onError: () => undefined })
    const streamer = createRealtime({
      ...options,
      redis: backend.streamerRedis,
      onError: (error) => errors.push(error),
    })
    return {
      publisher,
      streamer,
      errors,
      stop: backend.stop,
      restart: backend.restart,
      close: async () => {
        await Promise.all([publisher.close(), streamer.close()])
        await backend.close()
      },
    }
  }
}

const ioredisBackend =
  (args: string[]): Factory =>
  async () => {
    const server: RedisServerHandle = await startRedisServer({ args })
    const one = new Redis(server.url, { maxRetriesPerRequest: 1 })
    const two = new Redis(server.url, { maxRetriesPerRequest: 1 })
    return {
      publisherRedis: one,
      streamerRedis: two,
      stop: () => server.kill(),
      restart: () => server.restart(),
      close: async () => {
        one.disconnect()
        two.disconnect()
        await server.stop()
      },
    }
  }

const upstashBackend: Factory = async () => {
  const server = await startRedisServer({ args: persistent })
  const local: UpstashLocal = await startUpstashLocal({
    redisUrl: server.url,
    token: 'token',
    port: 0,
    commandTimeoutMs: 500,
  })
  const client = () => new Upstash({ url: local.url, token: 'token', enableTelemetry: false, retry: false })
  return {
    publisherRedis: client(),
    streamerRedis: client(),
    stop: () => server.kill(),
    restart: () => server.restart(),
    close: async () => {
      await local.close()
      await server.stop()
    },
  }
}

/** A Cluster whose node owning the `news` channel is killed and restarted (with its AOF). */
const clusterBackend: Factory = async () => {
  const cluster: RedisClusterHandle = await startRedisCluster({
    masters: 3,
    serverArgs: () => [...persistent, '--cluster-node-timeout', '60000'],
  })
  const slot = keySlot(new KeyLayout('out:').group('news').key('log'))
  const ranges = (await import('@rediware/test-utils')).rawCommand(cluster.nodes[0] ?? { host: '', port: 0 }, [
    'CLUSTER',
    'SLOTS',
  ])
  const owner = ((await ranges) as [number, number, [string, number]][]).find(
    ([from, to]) => slot >= from && slot <= to,
  )?.[2][1]
  const node = cluster.servers.find((server) => server.port === owner)
  if (!node) throw new Error('no node owns the slot of the news log')
  const one = new Cluster([...cluster.nodes], { redisOptions: { maxRetriesPerRequest: 1 } })
  const two = new Cluster([...cluster.nodes], { redisOptions: { maxRetriesPerRequest: 1 } })
  return {
    publisherRedis: one,
    streamerRedis: two,
    stop: () => node.kill(),
    restart: () => node.restart(),
    close: async () => {
      one.disconnect()
      two.disconnect()
      await cluster.stop()
    },
  }
}

describe.each([
  ['ioredis (AOF)', build(ioredisBackend(persistent))],
  ['Cluster (AOF, the channel’s node)', build(clusterBackend)],
  ['Upstash REST (upstash-local over AOF Redis)', build(upstashBackend)],
])('Redis restarted mid-stream: %s', (_name, setup) => {
  let backend: Setup
  let app: App
  let stream: SseStream

  beforeAll(async () => {
    backend = await setup()
    app = await startApp(expressVersions[1].create, backend.streamer, { channels: ['news'] })
  }, 60_000)

  afterAll(async () => {
    stream?.close()
    await app?.close()
    await backend?.close()
  })

  it('keeps the stream open with heartbeats, rejects publish within the deadline, and delivers everything published after Redis returns', async () => {
    stream = await openStream(app.url)
    await waitFor(() => stream.lastEventId !== '', { description: 'the stream position' })
    const before = await backend.publisher.publish('news', { type: 'n', data: 1 })
    await stream.until(1)
    await backend.stop()
    const comments = stream.comments
    const started = Date.now()
    await expect(backend.publisher.publish('news', { type: 'n', data: 'lost' })).rejects.toMatchObject({
      code: expect.stringMatching(/^ERR_REDIS_(TIMEOUT|UNAVAILABLE|CIRCUIT_OPEN)$/),
    })
    expect(Date.now() - started).toBeLessThan(3000)
    await waitFor(() => stream.comments >= comments + 3, { description: 'heartbeats while Redis is down' })
    expect(stream.ended).toBe(false)
    await backend.restart()
    // Probe until a publish goes through (a retried probe may land twice: probes are left out below).
    await waitFor(
      async () => (await backend.publisher.publish('news', { type: 'probe', data: null }).catch(() => '')) !== '',
      {
        description: 'a publish after the restart',
        timeout: 20_000,
      },
    )
    const after: string[] = []
    for (let index = 2; index <= 4; index += 1)
      after.push(await backend.publisher.publish('news', { type: 'n', data: index }))
    await waitFor(() => stream.of().some((event) => event.id === after.at(-1)), {
      description: 'the last event',
      timeout: 20_000,
    })
    // A publish that timed out may still reach Redis later (a Cluster client retries a command while
    // a node is down): then it is in the log, and delivered in its place like any other event.
    const events = stream.of().filter((event) => event.data !== '"lost"' && event.event !== 'probe')
    expect(events.map((event) => event.id)).toEqual([before, ...after])
    expect(events.map((event) => Number(event.data))).toEqual([1, 2, 3, 4])
    const ids = stream.of().map((event) => event.id)
    expect([...new Set(ids)].sort()).toEqual(ids)
    expect(stream.of('reset')).toEqual([])
    expect(backend.errors.length).toBeGreaterThanOrEqual(1)
  }, 90_000)
})

describe('Redis restarted without persistence mid-stream (ioredis)', () => {
  let backend: Setup
  let app: App

  beforeAll(async () => {
    backend = await build(ioredisBackend([]))()
    app = await startApp(expressVersions[1].create, backend.streamer, { channels: ['news'] })
  }, 60_000)

  afterAll(async () => {
    await app?.close()
    await backend?.close()
  })

  it('sends a reset (the log is gone, so what was missed cannot be known), then what follows', async () => {
    const stream = await openStream(app.url)
    try {
      await waitFor(() => stream.lastEventId !== '', { description: 'the stream position' })
      await backend.publisher.publish('news', { type: 'n', data: 1 })
      await stream.until(1)
      await backend.stop()
      await backend.restart()
      let next = ''
      await waitFor(
        async () => {
          next = await backend.publisher.publish('news', { type: 'n', data: 2 }).catch(() => '')
          return next !== ''
        },
        { description: 'a publish after the restart', timeout: 20_000 },
      )
      await stream.until(1, 'reset', 20_000)
      const third = await backend.publisher.publish('news', { type: 'n', data: 3 })
      await waitFor(() => stream.of().some((event) => event.id === third), { description: 'the event after the reset' })
      expect(stream.ended).toBe(false)
    } finally {
      stream.close()
    }
  }, 90_000)
})
