import { describeBackends, waitFor } from '@rediware/test-utils'
import { closeAll, makeQueue, sleep, waitForState } from './helpers.js'
import { partitioned } from './partition.js'

afterEach(closeAll)

describeBackends('leases, stalls and fencing', (backend) => {
  test('a worker cut off from Redis loses its lease; the job runs again after its backoff, and the cut-off worker cannot complete it', async () => {
    let cut = true
    const partition = partitioned(backend.client(), (script) => cut && script === 'queue:renew')
    const a = makeQueue<string>(backend, {}, partition)
    const b = makeQueue<string>(backend, { name: a.queue.name, onEvent: a.events.onEvent })
    const added = await a.queue.add('work', { attempts: 3, backoff: { type: 'fixed', delay: 200 } })
    let releaseA = () => {}
    const gateA = new Promise<void>((resolve) => {
      releaseA = resolve
    })
    const runs: string[] = []
    a.queue.process(
      async () => {
        runs.push('a')
        await gateA
        return 'from a'
      },
      { lease: 300 },
    )
    await waitFor(() => runs.length === 1, { description: 'worker A to start the job' })
    const startedAt = Date.now()
    b.queue.process(
      () => {
        runs.push('b')
        return 'from b'
      },
      { lease: 300 },
    )
    await waitForState(b.queue, added.id, 'completed')
    // Lease 300 ms, then the 200 ms backoff: B cannot have started earlier.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(450)
    cut = false
    releaseA()
    await waitFor(() => a.events.of('lease-lost').length === 1, { description: "A's settle to be refused" })
    const job = await b.queue.getJob(added.id)
    expect(job).toMatchObject({ state: 'completed', attempt: 2, stalls: 1, result: 'from b' })
    expect(runs).toEqual(['a', 'b'])
    expect(a.events.of('completed').map((event) => event.id)).toEqual([added.id])
    expect(a.events.of('stalled')).toMatchObject([{ id: added.id, attempt: 1, willRetry: true }])
  })

  test('a stall on the last attempt fails the job with the stall as its error', async () => {
    const partition = partitioned(backend.client(), (script) => script === 'queue:renew')
    const a = makeQueue<null>(backend, {}, partition)
    const b = makeQueue<null>(backend, { name: a.queue.name })
    const added = await a.queue.add(null, { attempts: 1 })
    let started = false
    a.queue.process(
      (job) =>
        new Promise<void>((resolve) => {
          started = true
          job.signal.addEventListener('abort', () => resolve())
        }),
      { lease: 200 },
    )
    await waitFor(() => started, { description: 'the job to start' })
    b.queue.process(() => undefined, { lease: 200 })
    await waitForState(b.queue, added.id, 'failed')
    expect(await b.queue.getJob(added.id)).toMatchObject({
      attempt: 1,
      stalls: 1,
      error: expect.stringMatching(/^stalled/),
    })
  })

  test('the lease is renewed while a long handler runs: no stall, one attempt', async () => {
    const { queue, events } = makeQueue<null>(backend)
    const added = await queue.add(null)
    queue.process(
      async () => {
        await sleep(900)
        return 'done'
      },
      { lease: 300 },
    )
    const watcher = makeQueue<null>(backend, { name: queue.name })
    watcher.queue.process(() => 'watcher ran it', { lease: 300, pollInterval: 50 })
    await waitForState(queue, added.id, 'completed')
    expect(await queue.getJob(added.id)).toMatchObject({ attempt: 1, stalls: 0, result: 'done' })
    expect(events.of('stalled')).toEqual([])
  })

  test('close() lets a running job finish within its timeout', async () => {
    const { queue } = makeQueue<null>(backend)
    const added = await queue.add(null)
    let started = false
    const worker = queue.process(async () => {
      started = true
      await sleep(200)
      return 'finished'
    })
    await waitFor(() => started, { description: 'the job to start' })
    await worker.close({ timeout: '5 s' })
    expect(worker.health().state).toBe('closed')
    expect(await queue.getJob(added.id)).toMatchObject({ state: 'completed', result: 'finished' })
  })

  test('close() gives back what is still running at its timeout: the attempt does not count and another worker runs it', async () => {
    const { queue } = makeQueue<string>(backend)
    const added = await queue.add('slow')
    let abortedWith: unknown
    let started = false
    const worker = queue.process(
      (job) =>
        new Promise<void>((resolve) => {
          started = true
          job.signal.addEventListener('abort', () => {
            abortedWith = job.signal.reason
            resolve()
          })
        }),
    )
    await waitFor(() => started, { description: 'the job to start' })
    const closing = Date.now()
    await worker.close({ timeout: 150 })
    expect(Date.now() - closing).toBeLessThan(2000)
    expect(abortedWith).toMatchObject({ code: 'ERR_WORKER_CLOSED' })
    expect(await queue.getJob(added.id)).toMatchObject({ state: 'waiting', attempt: 0 })
    const next = queue.process(() => 'second worker')
    await waitForState(queue, added.id, 'completed')
    expect(await queue.getJob(added.id)).toMatchObject({ attempt: 1, result: 'second worker' })
    await next.close()
  })

  test('concurrency: never more handlers at once than asked for', async () => {
    const { queue } = makeQueue<number>(backend)
    await queue.addBulk(Array.from({ length: 30 }, (_, data) => ({ data })))
    let running = 0
    let peak = 0
    let done = 0
    queue.process(
      async () => {
        running += 1
        peak = Math.max(peak, running)
        await sleep(10)
        running -= 1
        done += 1
      },
      { concurrency: 4 },
    )
    await waitFor(() => done === 30, { description: '30 jobs' })
    expect(peak).toBe(4)
  })
})
