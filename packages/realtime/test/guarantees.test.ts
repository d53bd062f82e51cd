import { connect, type Socket } from 'node:net'
import compression from 'compression'
import type { RequestHandler } from 'express'
import { describeBackends, describeExpress, waitFor, openStream, type SseStream } from '@rediware/test-utils'
import type { RealtimeActivity } from '@rediware/realtime'
import { type App, realtimePair, startApp } from './helpers.js'

/** A client that sends the request and then never reads: the server's writes back up. */
function stalledClient(url: string): Promise<Socket> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`)
      socket.pause()
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

describeBackends('realtime guarantees', (backend) => {
  describeExpress('SSE', (createApp) => {
    let pair: ReturnType<typeof realtimePair>
    const apps: App[] = []
    const streams: SseStream[] = []
    const activity: RealtimeActivity[] = []
    const open = async (url: string) => {
      const stream = await openStream(url)
      streams.push(stream)
      return stream
    }
    const live = async (stream: SseStream) => {
      await waitFor(() => stream.lastEventId !== '', { description: 'the stream position', interval: 5 })
      return stream
    }
    const app = async (rt: 'a' | 'b', options: Parameters<typeof startApp>[2], before: RequestHandler[] = []) => {
      const started = await startApp(createApp, pair[rt], options, before)
      apps.push(started)
      return started
    }

    beforeEach(() => {
      activity.length = 0
      pair = realtimePair(backend, {
        heartbeat: 40,
        maxEventSize: 256 * 1024,
        backlog: { maxBytes: 1024 * 1024, maxEvents: 50 },
        onEvent: (event) => activity.push(event),
      })
    })

    afterEach(async () => {
      for (const stream of streams.splice(0)) stream.close()
      await Promise.all(apps.splice(0).map((each) => each.close()))
      await pair.close()
    })

    it('answers 403 before the stream opens when authorize refuses any channel (sync or async)', async () => {
      const served = await app('b', {
        channels: (req) => String(req.query.channels).split(','),
        authorize: async (req, channel) => channel !== 'secret' && req.headers['x-user'] === 'ann',
      })
      const refused = await openStream(`${served.url}?channels=news,secret`, { headers: { 'x-user': 'ann' } })
      streams.push(refused)
      expect(refused.status).toBe(403)
      expect(refused.headers['content-type']).toMatch(/^text\/plain/)
      const anonymous = await openStream(`${served.url}?channels=news`)
      streams.push(anonymous)
      expect(anonymous.status).toBe(403)
      expect(pair.b.stats()).toEqual({ connections: 0, channels: 0, listeners: 0 })
      expect(activity).toEqual([
        { type: 'forbidden', channel: 'secret' },
        { type: 'forbidden', channel: 'news' },
      ])
      const allowed = await openStream(`${served.url}?channels=news`, { headers: { 'x-user': 'ann' } })
      streams.push(allowed)
      expect(allowed.status).toBe(200)
    })

    it('passes a failing channels(req) or bad channel names to the error handler (before any stream byte)', async () => {
      const throwing = await app('b', {
        channels: () => {
          throw new Error('no session')
        },
      })
      const broken = await open(throwing.url)
      expect(broken.status).toBe(500)
      const empty = await app('a', { channels: () => [''] })
      const refused = await open(empty.url)
      expect(refused.status).toBe(500)
    })

    it('sends heartbeat comments on an idle stream', async () => {
      const served = await app('b', { channels: ['quiet'] })
      const stream = await live(await open(served.url))
      await waitFor(() => stream.comments >= 3, { description: 'three heartbeats' })
      expect(stream.of()).toEqual([])
    })

    it('streams through compression mounted in front, at once', async () => {
      const served = await app('b', { channels: ['zipped'] }, [compression({ threshold: 0 })])
      const stream = await live(await open(served.url))
      expect(stream.headers['content-encoding']).toBeUndefined()
      await pair.a.publish('zipped', { type: 'z', data: 'x'.repeat(100) })
      await stream.until(1)
    })

    it('flushes each event through gzip when something lets compression encode the stream', async () => {
      // An app-wide header policy that drops no-transform: compression then gzips the stream.
      const dropNoTransform: RequestHandler = (_req, res, next) => {
        const setHeader = res.setHeader.bind(res)
        res.setHeader = (name: string, value: number | string | readonly string[]) =>
          setHeader(name, name.toLowerCase() === 'cache-control' ? 'no-cache' : value)
        next()
      }
      const served = await app('b', { channels: ['gzipped'] }, [compression({ threshold: 0 }), dropNoTransform])
      const stream = await live(await openStream(served.url, { gzip: true }))
      streams.push(stream)
      expect(stream.headers['content-encoding']).toBe('gzip')
      await pair.a.publish('gzipped', { type: 'z', data: 1 })
      await pair.a.publish('gzipped', { type: 'z', data: 2 })
      expect((await stream.until(2)).map((event) => event.data)).toEqual(['1', '2'])
    })

    it('answers a request whose authorize finishes after close() with the final frame, opening nothing', async () => {
      let entered = false
      let release: () => void = () => undefined
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      const served = await app('b', {
        channels: ['late'],
        authorize: async () => {
          entered = true
          await gate
          return true
        },
      })
      const pending = open(served.url)
      await waitFor(() => entered, { description: 'the request in authorize' })
      await pair.b.close()
      release()
      const stream = await pending
      await stream.untilEnded()
      expect(stream.of('reconnect')).toHaveLength(1)
      expect(pair.b.stats()).toEqual({ connections: 0, channels: 0, listeners: 0 })
    })

    it('answers HEAD with the stream headers and no stream', async () => {
      const served = await app('b', { channels: ['head'] })
      const response = await fetch(served.url, { method: 'HEAD' })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(pair.b.stats().connections).toBe(0)
    })

    it('closes a client that stops reading once its backlog is full, with a reconnect event, while others keep receiving', async () => {
      const served = await app('b', { channels: ['firehose'] })
      const reader = await live(await open(served.url))
      const stalled = await stalledClient(served.url)
      try {
        await waitFor(() => pair.b.stats().connections === 2, { description: 'both streams open' })
        const payload = 'x'.repeat(200 * 1024)
        let published = 0
        while (!activity.some((event) => event.type === 'close' && event.reason === 'backlog')) {
          await pair.a.publish('firehose', { type: 'big', data: payload })
          published += 1
          // Let the reading client read, as it would between a real app's publishes.
          await new Promise((resolve) => setImmediate(resolve))
          if (published > 400) throw new Error('the stalled client was never evicted')
        }
        expect(pair.b.stats().connections).toBe(1)
        await pair.a.publish('firehose', { type: 'small', data: 'after' })
        const events = await reader.until(published + 1, undefined, 30_000)
        expect(events.at(-1)?.data).toBe('"after"')
        expect(events.slice(0, published).every((event) => event.event === 'big')).toBe(true)
      } finally {
        stalled.destroy()
      }
    }, 60_000)
  })
})
