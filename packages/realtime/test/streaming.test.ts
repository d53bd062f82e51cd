import { describeBackends, describeExpress, openStream, type SseStream } from '@rediware/test-utils'
import { type App, realtimePair, startApp } from './helpers.js'

describeBackends('realtime across two processes', (backend) => {
  describeExpress('SSE', (createApp) => {
    let pair: ReturnType<typeof realtimePair>
    let appA: App
    let appB: App
    const streams: SseStream[] = []
    const open = async (url: string, lastEventId?: string) => {
      const stream = await openStream(url, { lastEventId })
      streams.push(stream)
      return stream
    }
    /** Waits until the stream knows its position in each of its channels (the `id:` sent once they are live). */
    const live = async (stream: SseStream, channels = 1) => {
      const { waitFor } = await import('@rediware/test-utils')
      const known = () => (stream.lastEventId === '' ? 0 : stream.lastEventId.split(',').length)
      await waitFor(() => known() === channels, { description: 'the stream position', interval: 5 })
      return stream
    }

    beforeEach(async () => {
      pair = realtimePair(backend, { heartbeat: 60_000 })
      const channels = (req: import('express').Request) => String(req.query.channels ?? 'news').split(',')
      appA = await startApp(createApp, pair.a, { channels })
      appB = await startApp(createApp, pair.b, { channels })
    })

    afterEach(async () => {
      for (const stream of streams.splice(0)) stream.close()
      await Promise.all([appA.close(), appB.close()])
      await pair.close()
    })

    it('streams what one process publishes to a browser on the other, with id, event and JSON data', async () => {
      const stream = await live(await open(appB.url))
      expect(stream.status).toBe(200)
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8')
      expect(stream.headers['cache-control']).toBe('no-cache, no-transform')
      expect(stream.headers['x-accel-buffering']).toBe('no')
      const ids: string[] = []
      for (let index = 0; index < 5; index += 1) {
        ids.push(
          await pair.a.publish('news', { type: 'stock', data: { id: index, stock: 10 - index, text: 'é\n"x"' } }),
        )
      }
      const events = await stream.until(5)
      expect(events.map((event) => event.id)).toEqual(ids)
      expect(events.map((event) => event.event)).toEqual(Array(5).fill('stock'))
      expect(events.map((event) => JSON.parse(event.data))).toEqual(
        Array.from({ length: 5 }, (_, index) => ({ id: index, stock: 10 - index, text: 'é\n"x"' })),
      )
      expect(stream.retries).toHaveLength(1)
      expect(stream.retries[0]).toBeGreaterThanOrEqual(1500)
      expect(stream.retries[0]).toBeLessThanOrEqual(4500)
    })

    it('resumes with Last-Event-ID on the other process: nothing missed, nothing twice, then live', async () => {
      const first = await live(await open(appA.url))
      const before = [
        await pair.a.publish('news', { type: 'n', data: 1 }),
        await pair.a.publish('news', { type: 'n', data: 2 }),
      ]
      await first.until(2)
      const resumeFrom = first.lastEventId
      expect(resumeFrom).toBe(before[1])
      first.close()
      const missed = []
      for (let index = 3; index <= 8; index += 1) missed.push(await pair.b.publish('news', { type: 'n', data: index }))
      const second = await open(appB.url, resumeFrom)
      await second.until(6)
      await pair.a.publish('news', { type: 'n', data: 9 })
      const events = await second.until(7)
      expect(events.map((event) => JSON.parse(event.data))).toEqual([3, 4, 5, 6, 7, 8, 9])
      expect(events.slice(0, 6).map((event) => event.id)).toEqual(missed)
      expect(second.of('reset')).toEqual([])
    })

    it('keeps a position per channel for a stream of several channels, and resumes each', async () => {
      const url = `${appA.url}?channels=alpha,beta`
      const first = await live(await open(url), 2)
      await pair.b.publish('alpha', { type: 'a', data: 1 })
      await pair.b.publish('beta', { type: 'b', data: 1 })
      await first.until(2)
      first.close()
      await pair.b.publish('beta', { type: 'b', data: 2 })
      await pair.b.publish('alpha', { type: 'a', data: 2 })
      await pair.b.publish('beta', { type: 'b', data: 3 })
      const second = await open(`${appB.url}?channels=beta,alpha`, first.lastEventId)
      const events = await second.until(3)
      expect(events.map((event) => `${event.event}${event.data}`).sort()).toEqual(['a2', 'b2', 'b3'])
      expect(events.filter((event) => event.event === 'b').map((event) => event.data)).toEqual(['2', '3'])
      expect(second.of('reset')).toEqual([])
    })

    it('starts a channel the Last-Event-ID does not name with a reset (it may have missed events)', async () => {
      const first = await live(await open(`${appA.url}?channels=alpha,beta`), 2)
      await pair.a.publish('alpha', { type: 'a', data: 1 })
      await first.until(1)
      first.close()
      const second = await open(`${appB.url}?channels=alpha,gamma`, first.lastEventId)
      const [reset] = await second.until(1, 'reset')
      expect(JSON.parse(reset?.data ?? '')).toEqual({ channel: 'gamma', reason: 'history' })
      await pair.a.publish('gamma', { type: 'g', data: 1 })
      await pair.a.publish('alpha', { type: 'a', data: 2 })
      const events = await second.until(2)
      expect(events.map((event) => `${event.event}${event.data}`).sort()).toEqual(['a2', 'g1'])
    })

    it('sends a reset, never a silent gap, when a Last-Event-ID is older than the history', async () => {
      const stream = await live(await open(appA.url))
      const firstId = await pair.a.publish('news', { type: 'n', data: 0 })
      await stream.until(1)
      stream.close()
      // Far over history.maxLen: whole stream nodes get trimmed, the first event with them.
      const small = realtimePair(backend, { history: { maxLen: 5, ttl: '1 h' } })
      try {
        const smallApp = await startApp(createApp, small.b, { channels: ['news'] })
        try {
          const first = await small.a.publish('news', { type: 'n', data: 0 })
          for (let index = 1; index <= 300; index += 1) await small.a.publish('news', { type: 'n', data: index })
          const resumed = await openStream(smallApp.url, { lastEventId: first })
          streams.push(resumed)
          const [reset] = await resumed.until(1, 'reset')
          expect(JSON.parse(reset?.data ?? '')).toEqual({ channel: 'news', reason: 'history' })
          expect(resumed.of()).toEqual([])
          const after = await small.a.publish('news', { type: 'n', data: 'after' })
          const [next] = await resumed.until(1)
          expect(next?.id).toBe(after)
          // A made-up id gets a reset too.
          const bogus = await openStream(smallApp.url, { lastEventId: '1-0' })
          streams.push(bogus)
          await bogus.until(1, 'reset')
        } finally {
          await smallApp.close()
        }
      } finally {
        await small.close()
      }
      expect(firstId).toMatch(/^\d+-\d+$/)
    })

    it('starts a stream exactly after a position rendered into the page (rt.position → ?lastEventId=)', async () => {
      await pair.a.publish('news', { type: 'n', data: 'shown' })
      await pair.a.publish('other', { type: 'o', data: 'shown' })
      const single = await pair.b.position('news')
      const both = await pair.b.position(['news', 'other'])
      const next = [
        await pair.a.publish('news', { type: 'n', data: 'next' }),
        await pair.a.publish('other', { type: 'o', data: 'next' }),
      ]
      const one = await open(`${appA.url}?lastEventId=${encodeURIComponent(single)}`)
      const two = await open(`${appA.url}?channels=other,news&lastEventId=${encodeURIComponent(both)}`)
      expect((await one.until(1)).map((event) => event.id)).toEqual([next[0]])
      expect((await two.until(2)).map((event) => `${event.event}:${event.data}`).sort()).toEqual([
        'n:"next"',
        'o:"next"',
      ])
      expect(next).toHaveLength(2)
      expect([...one.of('reset'), ...two.of('reset')]).toEqual([])
      await expect(pair.b.position('')).rejects.toThrow(TypeError)
    })

    it('delivers to server-side listeners of the other process, in order, until stopped', async () => {
      const received: unknown[] = []
      const stop = pair.b.subscribe('orders', (event) => received.push([event.type, event.data, event.channel]))
      await stop.ready
      await pair.a.publish('orders', { type: 'created', data: { id: 1 } })
      await pair.a.publish('orders', { type: 'paid', data: { id: 1 } })
      const { waitFor } = await import('@rediware/test-utils')
      await waitFor(() => received.length === 2, { description: 'two listener events' })
      expect(received).toEqual([
        ['created', { id: 1 }, 'orders'],
        ['paid', { id: 1 }, 'orders'],
      ])
      stop()
      expect(pair.b.stats().listeners).toBe(0)
      expect(pair.b.stats().channels).toBe(0)
    })

    it('frees everything of a stream when its client disconnects', async () => {
      const streamsOpen = await Promise.all([
        live(await open(appB.url)),
        live(await open(`${appB.url}?channels=news,other`), 2),
      ])
      expect(pair.b.stats()).toMatchObject({ connections: 2, channels: 2 })
      for (const stream of streamsOpen) stream.close()
      const { waitFor } = await import('@rediware/test-utils')
      await waitFor(() => pair.b.stats().connections === 0, { description: 'both streams closed' })
      expect(pair.b.stats()).toEqual({ connections: 0, channels: 0, listeners: 0 })
    })

    it('ends streams with a reconnect event and a retry hint on close(), and answers later requests the same way', async () => {
      const stream = await live(await open(appB.url))
      await pair.b.close()
      await stream.untilEnded()
      const [reconnect] = stream.of('reconnect')
      expect(JSON.parse(reconnect?.data ?? '')).toEqual({ reason: 'shutdown' })
      expect(stream.retries).toHaveLength(2)
      const late = await open(appB.url)
      await late.untilEnded()
      expect(late.status).toBe(200)
      expect(late.of('reconnect')).toHaveLength(1)
      await expect(pair.b.publish('news', { type: 'n', data: 1 })).rejects.toMatchObject({ code: 'ERR_REDIS_CLOSED' })
    })
  })
})
