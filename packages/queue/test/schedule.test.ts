import { fromIoredis, fromNodeRedis, fromUpstash, type RedisClient } from '@rediware/redis'
import { describeBackends, type TestBackend, waitFor } from '@rediware/test-utils'
import { Cluster, Redis } from 'ioredis'
import { Redis as UpstashRedis } from '@upstash/redis'
import { closeAll, Events, makeQueue, sleep } from './helpers.js'

afterEach(closeAll)

/** A client on its own connection, as another process would have. */
function separateClient(backend: TestBackend): { client: RedisClient; close: () => void } {
  if (backend.name === 'node-redis' || backend.name === 'node-redis-cluster') {
    const raw = backend.newRaw()
    return { client: fromNodeRedis(raw, { timeout: 2000 }), close: () => raw.destroy() }
  }
  const raw = backend.newRaw()
  if (raw instanceof Redis || raw instanceof Cluster)
    return { client: fromIoredis(raw, { timeout: 2000 }), close: () => raw.disconnect() }
  if (raw instanceof UpstashRedis) return { client: fromUpstash(raw, { timeout: 3000 }), close: () => undefined }
  return { client: backend.client(), close: () => undefined }
}

describeBackends('repeatable jobs', (backend) => {
  test('four schedulers on their own connections fire each tick once', async () => {
    const events = new Events()
    const clients = [0, 1, 2, 3].map(() => separateClient(backend))
    const first = makeQueue<{ kind: string }>(backend, { onEvent: events.onEvent }, clients[0]?.client)
    const queues = [
      first.queue,
      ...clients
        .slice(1)
        .map(
          ({ client }) =>
            makeQueue<{ kind: string }>(backend, { name: first.queue.name, onEvent: events.onEvent }, client).queue,
        ),
    ]
    try {
      const handles = queues.map((queue) => queue.schedule('tick', { every: 250 }, { kind: 'tick' }, { attempts: 1 }))
      expect(handles[0]?.nextRun()?.getTime()).toBe(handles[3]?.nextRun()?.getTime())
      await sleep(1400)
      for (const handle of handles) handle.cancel()
      await sleep(300)
      const fired = events.of('fired')
      const created = fired.filter((event) => event.created).map((event) => event.id)
      const ticks = new Set(fired.map((event) => event.tick.getTime()))
      expect(ticks.size).toBeGreaterThanOrEqual(4)
      expect(created.sort()).toEqual([...ticks].sort().map((tick) => `tick@${new Date(tick).toISOString()}`))
      for (const tick of ticks) {
        const atTick = fired.filter((event) => event.tick.getTime() === tick)
        expect(atTick.filter((event) => event.created)).toHaveLength(1)
        expect(atTick.length).toBeGreaterThan(1)
      }
      const counts = await first.queue.counts()
      expect(counts.waiting).toBe(ticks.size)
      const job = await first.queue.getJob(created[0] ?? '')
      expect(job).toMatchObject({ name: 'tick', data: { kind: 'tick' }, attempts: 1 })
    } finally {
      for (const { close } of clients) close()
    }
  })

  test('a cron with seconds fires at its ticks and the jobs run', async () => {
    const { queue, events } = makeQueue<string>(backend)
    const ran: string[] = []
    queue.process((job) => {
      ran.push(job.id)
    })
    const handle = queue.schedule('every-second', { cron: '* * * * * *' }, 'cron')
    const next = handle.nextRun()?.getTime() ?? 0
    expect(next % 1000).toBe(0)
    await waitFor(() => ran.length >= 2, { description: 'two cron ticks to run', timeout: 5000 })
    handle.cancel()
    expect(handle.nextRun()).toBeNull()
    expect(ran[0]).toBe(`every-second@${new Date(next).toISOString()}`)
    expect(events.of('fired').every((event) => event.created)).toBe(true)
  })
})
