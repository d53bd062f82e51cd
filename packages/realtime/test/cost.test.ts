import { Redis } from 'ioredis'
import { Redis as Upstash } from '@upstash/redis'
import { createRealtime, type Realtime } from '@rediware/realtime'
import {
  expressVersions,
  rawCommand,
  type RedisServerHandle,
  startRedisServer,
  waitFor,
  openStream,
  type SseStream,
} from '@rediware/test-utils'
import { startUpstashLocal, type UpstashLocal } from '@rediware/upstash-local'
import { type App, sleep, startApp } from './helpers.js'

/** Per-command call counts of a server (INFO commandstats). */
async function commandCalls(server: RedisServerHandle): Promise<Record<string, number>> {
  const info = String(await rawCommand(server, ['INFO', 'commandstats']))
  const calls: Record<string, number> = {}
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1] ?? ''] = Number(match[2])
  return calls
}

function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const changed: Record<string, number> = {}
  for (const [name, calls] of Object.entries(after)) {
    const difference = calls - (before[name] ?? 0)
    if (difference > 0) changed[name] = difference
  }
  return changed
}

async function openLive(url: string, count: number): Promise<SseStream[]> {
  const streams = await Promise.all(Array.from({ length: count }, () => openStream(url)))
  await waitFor(() => streams.every((stream) => stream.lastEventId !== ''), {
    description: `${count} live streams`,
    timeout: 30_000,
  })
  return streams
}

describe('Redis commands per published event (ioredis, dedicated server)', () => {
  let server: RedisServerHandle
  const redis: Redis[] = []
  let publisher: Realtime
  let streamer: Realtime
  let app: App

  beforeAll(async () => {
    server = await startRedisServer()
    redis.push(new Redis(server.url), new Redis(server.url))
    publisher = createRealtime({ redis: redis[0], prefix: 'cost:', timeout: '3 s', warn: () => undefined })
    streamer = createRealtime({ redis: redis[1], prefix: 'cost:', timeout: '3 s', warn: () => undefined })
    app = await startApp(expressVersions[1].create, streamer, { channels: ['news'] })
  })

  afterAll(async () => {
    await app.close()
    await publisher.close()
    for (const each of redis) each.disconnect()
    await server.stop()
  })

  /** Commands Redis runs for `events` publishes while `clients` streams of one process receive them. */
  async function measure(clients: number, events: number): Promise<Record<string, number>> {
    const streams = await openLive(app.url, clients)
    try {
      await publisher.publish('news', { type: 'warm', data: 0 })
      await Promise.all(streams.map((stream) => stream.until(1)))
      const before = await commandCalls(server)
      for (let index = 0; index < events; index += 1) await publisher.publish('news', { type: 'n', data: index })
      await Promise.all(streams.map((stream) => stream.until(events + 1)))
      const after = await commandCalls(server)
      // INFO itself runs between the two snapshots.
      const { info: _info, ...commands } = delta(before, after)
      return commands
    } finally {
      for (const stream of streams) stream.close()
      await waitFor(() => streamer.stats().connections === 0, { description: 'streams closed' })
    }
  }

  it('runs the same commands for 1 client and for 100: one script per publish, nothing per client', async () => {
    const one = await measure(1, 20)
    const hundred = await measure(100, 20)
    expect(hundred).toEqual(one)
    // The script (EVALSHA) and what it runs: XREVRANGE (the previous id), XADD, TIME, XTRIM, PEXPIRE, PUBLISH.
    expect(one).toEqual({ evalsha: 20, xrevrange: 20, xadd: 20, time: 20, xtrim: 20, pexpire: 20, publish: 20 })
  }, 60_000)
})

describe('HTTP requests over Upstash REST (dedicated upstash-local)', () => {
  let server: RedisServerHandle
  let local: UpstashLocal
  const realFetch = globalThis.fetch
  const requests: string[] = []

  beforeAll(async () => {
    server = await startRedisServer()
    local = await startUpstashLocal({ redisUrl: server.url, token: 'token', port: 0 })
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = String(input instanceof Request ? input.url : input)
      if (url.startsWith(local.url)) requests.push(`${init?.method ?? 'GET'} ${url.slice(local.url.length) || '/'}`)
      return realFetch(input, init)
    }) as typeof fetch
  })

  afterAll(async () => {
    globalThis.fetch = realFetch
    await local.close()
    await server.stop()
  })

  it('costs 1 request per publish, none per delivered event, none while idle', async () => {
    const client = () => new Upstash({ url: local.url, token: 'token', enableTelemetry: false })
    const options = { prefix: 'budget:', heartbeat: 100, timeout: '3 s' as const, warn: () => undefined }
    const publisher = createRealtime({ ...options, redis: client() })
    const streamer = createRealtime({ ...options, redis: client() })
    const app = await startApp(expressVersions[1].create, streamer, { channels: ['news'] })
    try {
      await publisher.publish('news', { type: 'warm', data: 0 })
      requests.length = 0
      const streams = await openLive(app.url, 10)
      // Streams are live before the subscription's confirmation (and the read it triggers) has come
      // back on a loaded machine: the connect phase ends once no request was made for 500 ms.
      let seen = -1
      await waitFor(
        async () => {
          const quiet = requests.length === seen
          seen = requests.length
          if (!quiet) await sleep(500)
          return quiet
        },
        { description: 'the connect requests to settle', interval: 0 },
      )
      const connect = [...requests]
      requests.length = 0
      await sleep(3000)
      const idle = [...requests]
      for (let index = 0; index < 10; index += 1) await publisher.publish('news', { type: 'n', data: index })
      await Promise.all(streams.map((stream) => stream.until(10)))
      const publishing = [...requests]
      for (const stream of streams) stream.close()
      // Opening 10 streams on a channel new to this process: one subscribe stream, one read of where
      // the log ends and one read of what came before the subscription was confirmed; none per client.
      expect(connect.sort()).toEqual(['POST /pipeline', 'POST /pipeline', 'POST /subscribe/budget:{budget:news}:live'])
      expect(idle).toEqual([])
      expect(publishing).toEqual(Array(10).fill('POST /pipeline'))
    } finally {
      await app.close()
      await publisher.close()
    }
  }, 60_000)
})
