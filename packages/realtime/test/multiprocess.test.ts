import { connect, type Socket } from 'node:net'
import { createRealtime, type Realtime } from '@rediware/realtime'
import { ENV, requireEnv, waitFor, openStream, type SseStream } from '@rediware/test-utils'
import { Redis as Upstash } from '@upstash/redis'
import { Cluster, Redis } from 'ioredis'
import { buildChildApp, type ChildApp, type ChildBackend, startChildApp } from './child-app.js'

const children: ChildApp[] = []
const streams: SseStream[] = []
const closers: (() => Promise<void> | void)[] = []
let run = 0

beforeAll(() => buildChildApp(), 120_000)

afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close()
  for (const child of children.splice(0)) child.kill()
  for (const close of closers.splice(0)) await close()
})

/** This test process as one more app process (a publisher), on the same backend. */
function local(backend: ChildBackend, prefix: string): Realtime {
  const nodes = () =>
    backend.address.split(',').map((entry) => ({ host: entry.split(':')[0] ?? '', port: Number(entry.split(':')[1]) }))
  const redis =
    backend.kind === 'cluster'
      ? new Cluster(nodes())
      : backend.kind === 'upstash'
        ? new Upstash({ url: backend.address, token: backend.token ?? '', enableTelemetry: false })
        : new Redis(backend.address)
  const rt = createRealtime({
    redis,
    prefix,
    history: { maxLen: 5 },
    maxEventSize: 256 * 1024,
    timeout: '5 s',
    warn: () => undefined,
  })
  closers.push(async () => {
    await rt.close()
    if (!(redis instanceof Upstash)) redis.disconnect()
  })
  return rt
}

async function start(backend: ChildBackend, prefix: string, options: Record<string, unknown> = {}): Promise<ChildApp> {
  const child = await startChildApp(backend, prefix, options)
  children.push(child)
  return child
}

async function stream(url: string, lastEventId?: string): Promise<SseStream> {
  const opened = await openStream(url, { lastEventId })
  streams.push(opened)
  return opened
}

const live = async (opened: SseStream) => {
  await waitFor(() => opened.lastEventId !== '', { description: 'the stream position', interval: 5 })
  return opened
}

const backends: readonly [string, () => ChildBackend][] = [
  ['ioredis', () => ({ kind: 'ioredis', address: requireEnv(ENV.redisUrl) })],
  ['cluster', () => ({ kind: 'cluster', address: requireEnv(ENV.clusterNodes) })],
  ['upstash', () => ({ kind: 'upstash', address: requireEnv(ENV.upstashUrl), token: requireEnv(ENV.upstashToken) })],
]

describe.each(backends)('two app processes [%s]', (name, backendOf) => {
  const prefix = () => {
    run += 1
    return `mp:${name}:${process.pid}:${run}:`
  }

  it('publishes on one, streams on the other, and resumes a cut connection with Last-Event-ID on the first: nothing missed, nothing twice', async () => {
    const shared = prefix()
    const [one, two] = await Promise.all([start(backendOf(), shared), start(backendOf(), shared)])
    const onTwo = await live(await stream(`${two.base}/events`))
    const sent: string[] = []
    for (let index = 1; index <= 3; index += 1) {
      const { id } = await one.publish('news', { type: 'n', data: index })
      sent.push(id ?? '')
    }
    expect((await onTwo.until(3)).map((event) => event.id)).toEqual(sent)
    onTwo.close()
    for (let index = 4; index <= 7; index += 1)
      sent.push((await two.publish('news', { type: 'n', data: index })).id ?? '')
    const onOne = await stream(`${one.base}/events`, onTwo.lastEventId)
    await onOne.until(4)
    sent.push((await two.publish('news', { type: 'n', data: 8 })).id ?? '')
    const resumed = await onOne.until(5)
    expect(resumed.map((event) => event.id)).toEqual(sent.slice(3))
    expect(resumed.map((event) => Number(event.data))).toEqual([4, 5, 6, 7, 8])
  }, 60_000)

  it('answers 403 for an unauthorised channel and opens nothing', async () => {
    const app = await start(backendOf(), prefix())
    const refused = await stream(`${app.base}/events?channels=news,secret`)
    expect(refused.status).toBe(403)
    expect(await app.stats()).toMatchObject({ connections: 0, channels: 0 })
  }, 60_000)

  it('sends a reset to a client whose Last-Event-ID fell out of the history', async () => {
    const shared = prefix()
    const app = await start(backendOf(), shared, { history: { maxLen: 5 } })
    const publisher = local(backendOf(), shared)
    const first = await publisher.publish('news', { type: 'n', data: 0 })
    for (let index = 1; index <= 250; index += 1) await publisher.publish('news', { type: 'n', data: index })
    const resumed = await stream(`${app.base}/events`, first)
    const [reset] = await resumed.until(1, 'reset')
    expect(JSON.parse(reset?.data ?? '')).toEqual({ channel: 'news', reason: 'history' })
    const next = await publisher.publish('news', { type: 'n', data: 'next' })
    expect((await resumed.until(1))[0]?.id).toBe(next)
  }, 60_000)
})

/** A client that sends the request and then never reads. */
function stalledClient(url: string): Promise<Socket> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`)
      socket.pause()
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

describe('a client that never reads (ioredis, app process memory)', () => {
  /** Publishes ~30 MB while one client never reads and one does; returns the app's memory growth. */
  async function flood(
    options: Record<string, unknown>,
  ): Promise<{ held: number; rss: number; evicted: boolean; received: number }> {
    run += 1
    const backend: ChildBackend = { kind: 'ioredis', address: requireEnv(ENV.redisUrl) }
    const shared = `mp:rss:${process.pid}:${run}:`
    const app = await start(backend, shared, { maxEventSize: 256 * 1024, ...options })
    const publisher = local(backend, shared)
    const reader = await live(await stream(`${app.base}/events`))
    const stalled = await stalledClient(`${app.base}/events`)
    try {
      await waitFor(async () => (await app.stats()).connections === 2, { description: 'both streams open' })
      for (let index = 0; index < 20; index += 1)
        await publisher.publish('news', { type: 'warm', data: 'x'.repeat(1024) })
      await reader.until(20)
      const before = await app.stats()
      const payload = 'x'.repeat(250 * 1024)
      // One event in flight at a time, so what the app holds at the end is the stalled client's backlog,
      // not events queued because a loaded machine ran the app slower than the publisher.
      for (let index = 1; index <= 120; index += 1) {
        await publisher.publish('news', { type: 'big', data: payload })
        await reader.until(20 + index, undefined, 60_000)
      }
      const after = await app.stats()
      return {
        held: after.heap + after.external - (before.heap + before.external),
        rss: after.rss - before.rss,
        evicted: after.connections === 1,
        received: reader.of().length,
      }
    } finally {
      stalled.destroy()
    }
  }

  it('holds the app process memory flat (the stalled client is closed) while the other client receives everything', async () => {
    const bounded = await flood({ backlog: { maxBytes: 1024 * 1024, maxEvents: 1000 } })
    expect(bounded.evicted).toBe(true)
    expect(bounded.received).toBe(140)
    // What the process holds after a full GC (live V8 heap + Buffers; heapTotal would count space V8 has
    // reserved but not returned) is the backlog bound's business; RSS also
    // keeps pages the allocator has not returned yet, so it is held only below the flood it was spared.
    expect(bounded.held).toBeLessThan(12 * 1024 * 1024)
    expect(bounded.rss).toBeLessThan(30 * 1024 * 1024)
    // The same flood with a backlog as large as the flood: the process holds it for the stalled client.
    const unbounded = await flood({ backlog: { maxBytes: 512 * 1024 * 1024, maxEvents: 1_000_000 } })
    expect(unbounded.evicted).toBe(false)
    expect(unbounded.held).toBeGreaterThan(20 * 1024 * 1024)
  }, 120_000)
})
