import type { Server } from 'node:http'
import type { RedisInput } from '@rediware/redis'
import { createRealtime, type Realtime, type RealtimeEvent } from '@rediware/realtime'
import { createQueue, type JobEventData } from '@rediware/queue'
import {
  describeBackends,
  expressVersions,
  openStream,
  type SseStream,
  startRedisServer,
  type TestBackend,
  waitFor,
} from '@rediware/test-utils'
import { Redis } from 'ioredis'
import type { Request } from 'express'
import request from 'supertest'
import { closeAll, makeQueue, uniqueName } from './helpers.js'

/** What a subscriber keeps of each job event. */
type Seen = { type: string; id: string; attempt: number; progress?: unknown; error?: string; willRetry?: boolean }

const hubInput = (backend: TestBackend): RedisInput => (backend.name === 'memory' ? backend.client() : backend.raw())

function hub(backend: TestBackend): Realtime {
  return createRealtime({
    redis: hubInput(backend),
    prefix: `${backend.prefix}${uniqueName('rt')}:`,
    timeout: '3 s',
    warn: () => undefined,
    onError: () => undefined,
  })
}

const seenOf = (event: RealtimeEvent): Seen => {
  const { queue: _queue, ...data } = event.data as JobEventData
  return { type: event.type, ...data }
}

describeBackends('queue job events over realtime', (backend) => {
  const hubs: Realtime[] = []
  const streams: SseStream[] = []
  const servers: Server[] = []
  const newHub = () => {
    const created = hub(backend)
    hubs.push(created)
    return created
  }

  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close()
    for (const server of servers.splice(0)) {
      server.closeAllConnections()
      server.close()
    }
    await closeAll()
    await Promise.all(hubs.splice(0).map((each) => each.close()))
  })

  test('a subscriber sees each job go waiting → active → progress → completed or failed, in order, retries included', async () => {
    const rt = newHub()
    const { queue } = makeQueue<{ kind: 'ok' | 'flaky' | 'broken' }>(backend, { events: { realtime: rt } })
    expect(queue.eventsChannel).toBe(`queue:${queue.name}`)
    const seen: Seen[] = []
    const stop = rt.subscribe(queue.eventsChannel ?? '', (event) => seen.push(seenOf(event)))
    await stop.ready
    const ok = await queue.add({ kind: 'ok' })
    const flaky = await queue.add({ kind: 'flaky' }, { attempts: 2, backoff: { type: 'fixed', delay: 0 } })
    const broken = await queue.add({ kind: 'broken' }, { attempts: 1 })
    queue.process(async (job) => {
      if (job.data.kind === 'broken' || (job.data.kind === 'flaky' && job.attempt === 1))
        throw new Error(`${job.data.kind} ${job.attempt}`)
      await job.progress({ done: 1, of: 2 })
      await job.progress({ done: 2, of: 2 })
      return 'sent'
    })
    const finished = () =>
      seen.filter((event) => event.type === 'completed' || (event.type === 'failed' && event.willRetry === false))
        .length
    await waitFor(() => finished() === 3, { description: 'three jobs to finish on the channel', timeout: 15_000 })
    const of = (id: string) => seen.filter((event) => event.id === id).map(({ id: _id, ...rest }) => rest)
    expect(of(ok.id)).toEqual([
      { type: 'waiting', attempt: 0 },
      { type: 'active', attempt: 1 },
      { type: 'progress', attempt: 1, progress: { done: 1, of: 2 } },
      { type: 'progress', attempt: 1, progress: { done: 2, of: 2 } },
      { type: 'completed', attempt: 1 },
    ])
    expect(of(flaky.id)).toEqual([
      { type: 'waiting', attempt: 0 },
      { type: 'active', attempt: 1 },
      { type: 'failed', attempt: 1, error: 'flaky 1', willRetry: true },
      { type: 'active', attempt: 2 },
      { type: 'progress', attempt: 2, progress: { done: 1, of: 2 } },
      { type: 'progress', attempt: 2, progress: { done: 2, of: 2 } },
      { type: 'completed', attempt: 2 },
    ])
    expect(of(broken.id)).toEqual([
      { type: 'waiting', attempt: 0 },
      { type: 'active', attempt: 1 },
      { type: 'failed', attempt: 1, error: 'broken 1', willRetry: false },
    ])
    await queue.remove(ok.id)
    await queue.eventsFlushed()
    await waitFor(() => seen.some((event) => event.id === ok.id && event.type === 'removed'), {
      description: 'the removal on the channel',
    })
  })

  test('with the hub down, jobs run on and the outage is reported once', async () => {
    const rt = newHub()
    await rt.close()
    const errors: Error[] = []
    const { queue } = makeQueue<number>(backend, {
      events: { realtime: rt, channel: 'jobs' },
      onError: (error) => errors.push(error),
    })
    expect(queue.eventsChannel).toBe('jobs')
    const jobs = await queue.addBulk([1, 2, 3].map((data) => ({ data })))
    queue.process(async (job) => {
      await job.progress(job.data)
      return job.data * 2
    })
    await waitFor(async () => (await queue.counts()).completed === 3, {
      description: 'three completed jobs',
      timeout: 15_000,
    })
    for (const job of jobs)
      expect((await queue.getJob(job.id))?.result).toBe(((await queue.getJob(job.id))?.data as number) * 2)
    await queue.eventsFlushed()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'ERR_EVENTS_UNAVAILABLE' })
    expect(errors[0]?.message).toMatch(/job events of queue .* are not being published/)
  })

  test('without events nothing is published and the queue has no channel', async () => {
    const { queue } = makeQueue<number>(backend)
    expect(queue.eventsChannel).toBeUndefined()
    await expect(queue.eventsFlushed()).resolves.toBeUndefined()
  })

  for (const version of expressVersions) {
    describe(version.name, () => {
      async function serve(live: boolean) {
        const rt = newHub()
        const { queue } = makeQueue<number>(backend, live ? { events: { realtime: rt } } : {})
        const app = version.create()
        app.use('/admin/queues', queue.router<Request>({ authorize: (req) => req.get('x-admin') === 'yes' }))
        app.use((_req, res) => {
          res.status(404).send('app 404')
        })
        const server = app.listen(0, '127.0.0.1')
        await new Promise((resolve) => server.once('listening', resolve))
        const address = server.address()
        const port = typeof address === 'object' && address ? address.port : 0
        servers.push(server)
        return { queue, app, url: `http://127.0.0.1:${port}/admin/queues` }
      }

      test('the dashboard streams the queue channel at /api/events, behind authorize, and its page follows it', async () => {
        const { queue, app, url } = await serve(true)
        const refused = await openStream(`${url}/api/events`)
        streams.push(refused)
        expect(refused.status).toBe(403)
        const stream = await openStream(`${url}/api/events`, { headers: { 'x-admin': 'yes' } })
        streams.push(stream)
        expect(stream.status).toBe(200)
        expect(stream.headers['content-type']).toMatch(/^text\/event-stream/)
        await waitFor(() => stream.lastEventId !== '', { description: 'the stream position', interval: 5 })
        const added = await queue.add(7)
        queue.process((job) => job.data)
        const events = await stream.until(3, undefined, 15_000)
        expect(events.map((event) => [event.event, JSON.parse(event.data).id])).toEqual([
          ['waiting', added.id],
          ['active', added.id],
          ['completed', added.id],
        ])
        const page = await request(app).get('/admin/queues/').set('x-admin', 'yes').expect(200)
        expect(page.text).toContain("new EventSource(base + '/api/events')")
        expect(page.text).toMatch(/if \(true && typeof EventSource/)
      })

      test('without events the page polls and /api/events is not served', async () => {
        const { app } = await serve(false)
        const page = await request(app).get('/admin/queues/').set('x-admin', 'yes').expect(200)
        expect(page.text).toMatch(/if \(false && typeof EventSource/)
        await request(app).get('/admin/queues/api/events').set('x-admin', 'yes').expect(404, 'app 404')
      })
    })
  }
})

test('events.realtime must have publish()', () => {
  expect(() => createQueue({ name: 'bad-events', warn: () => undefined, events: { realtime: {} as never } })).toThrow(
    /events\.realtime must have publish\(channel, event\)/,
  )
})

test("the hub's Redis crashed mid-run: jobs run on, one report, and events flow again once it is back", async () => {
  const server = await startRedisServer()
  const hubRedis = new Redis(server.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => 50,
  })
  hubRedis.on('error', () => undefined)
  const rt = createRealtime({ redis: hubRedis, timeout: 200, warn: () => undefined, onError: () => undefined })
  const errors: Error[] = []
  const queue = createQueue<number>({
    name: uniqueName(),
    events: { realtime: rt },
    warn: () => undefined,
    onError: (error) => errors.push(error),
  })
  try {
    const seen: Seen[] = []
    const stop = rt.subscribe(queue.eventsChannel ?? '', (event) => {
      if (event.type !== 'reset') seen.push(seenOf(event))
    })
    await stop.ready
    const worker = queue.process((job) => job.data)
    await server.kill()
    await queue.addBulk([1, 2, 3].map((data) => ({ data })))
    await waitFor(async () => (await queue.counts()).completed === 3, {
      description: 'three completed jobs while the hub is down',
      timeout: 15_000,
    })
    await queue.eventsFlushed()
    expect(errors.map((error) => (error as { code?: string }).code)).toEqual(['ERR_EVENTS_UNAVAILABLE'])
    await server.restart()
    // The hub answers again once its client's breaker lets calls through.
    await waitFor(
      () =>
        rt.publish('probe', { type: 'probe', data: null }).then(
          () => true,
          () => false,
        ),
      { description: 'the hub to answer', timeout: 20_000, interval: 200 },
    )
    const added = await queue.add(4)
    await waitFor(async () => (await queue.getJob(added.id))?.state === 'completed', { description: 'the fourth job' })
    await queue.eventsFlushed()
    await waitFor(() => seen.some((event) => event.type === 'completed'), {
      description: 'events on the channel again',
      timeout: 10_000,
    })
    expect(seen.map((event) => [event.type, event.id])).toEqual([
      ['waiting', added.id],
      ['active', added.id],
      ['completed', added.id],
    ])
    await worker.close()
  } finally {
    await queue.close()
    await rt.close()
    hubRedis.disconnect()
    await server.stop()
  }
}, 60_000)
