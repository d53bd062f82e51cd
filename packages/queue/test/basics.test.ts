import { describeBackends, waitFor } from '@rediware/test-utils'
import { UnrecoverableError } from '@rediware/queue'
import { closeAll, makeQueue, sleep, waitForState } from './helpers.js'

afterEach(closeAll)

describeBackends('queue basics', (backend) => {
  test('add → waiting; a worker completes it with its result; counts follow', async () => {
    const { queue, events } = makeQueue<{ n: number }>(backend)
    const added = await queue.add({ n: 2 })
    expect(added).toMatchObject({ created: true, state: 'waiting' })
    expect(await queue.getJob(added.id)).toMatchObject({
      id: added.id,
      data: { n: 2 },
      state: 'waiting',
      attempt: 0,
      attempts: 3,
    })
    expect(await queue.counts()).toEqual({ waiting: 1, delayed: 0, active: 0, completed: 0, failed: 0 })
    const worker = queue.process(async (job) => ({ doubled: job.data.n * 2 }))
    await waitForState(queue, added.id, 'completed')
    const job = await queue.getJob(added.id)
    expect(job).toMatchObject({ state: 'completed', attempt: 1, result: { doubled: 4 }, error: null })
    expect(job?.finishedAt?.getTime()).toBeGreaterThanOrEqual(job?.startedAt?.getTime() ?? Number.NaN)
    expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 1, failed: 0 })
    expect(events.of('completed').map((event) => event.id)).toEqual([added.id])
    expect(worker.health()).toMatchObject({ state: 'running', processed: 1, inOutage: false })
    expect(worker.health().lastProgressAt).toBeInstanceOf(Date)
  })

  test('an id deduplicates: the second add returns the existing job and nothing more runs', async () => {
    const { queue } = makeQueue<string>(backend)
    const first = await queue.add('one', { id: 'order:42' })
    const second = await queue.add('two', { id: 'order:42' })
    expect(first).toEqual({ id: 'order:42', created: true, state: 'waiting' })
    expect(second).toEqual({ id: 'order:42', created: false, state: 'waiting' })
    const runs: string[] = []
    queue.process((job) => {
      runs.push(job.data)
    })
    await waitForState(queue, 'order:42', 'completed')
    const third = await queue.add('three', { id: 'order:42' })
    expect(third).toEqual({ id: 'order:42', created: false, state: 'completed' })
    await sleep(100)
    expect(runs).toEqual(['one'])
    expect((await queue.counts()).completed).toBe(1)
  })

  test('addBulk adds in one go, in order, deduplicating within and across calls', async () => {
    const { queue } = makeQueue<number>(backend, { shards: 3 })
    const added = await queue.addBulk([
      { data: 1 },
      { data: 2, options: { id: 'x' } },
      { data: 3, options: { id: 'x' } },
      { data: 4, options: { delay: '1 h' } },
    ])
    expect(added.map((job) => [job.created, job.state])).toEqual([
      [true, 'waiting'],
      [true, 'waiting'],
      [false, 'waiting'],
      [true, 'delayed'],
    ])
    expect(added[1]?.id).toBe('x')
    expect(await queue.counts()).toEqual({ waiting: 2, delayed: 1, active: 0, completed: 0, failed: 0 })
  })

  test('delay: the job waits as delayed and starts no earlier than its delay', async () => {
    const { queue } = makeQueue<null>(backend)
    const added = await queue.add(null, { delay: 300 })
    expect(added.state).toBe('delayed')
    const delayed = await queue.getJob(added.id)
    expect(delayed?.runAt).toBeInstanceOf(Date)
    queue.process(() => undefined, { pollInterval: '5 s' })
    await waitForState(queue, added.id, 'completed')
    const job = await queue.getJob(added.id)
    expect((job?.startedAt?.getTime() ?? 0) - (job?.addedAt.getTime() ?? 0)).toBeGreaterThanOrEqual(300)
  })

  test('priorities: lower numbers first, then the order of adding', async () => {
    const { queue } = makeQueue<string>(backend)
    await queue.add('p5-a', { priority: 5 })
    await queue.add('p1', { priority: 1 })
    await queue.add('p0', {})
    await queue.add('p5-b', { priority: 5 })
    await queue.add('p2', { priority: 2 })
    const order: string[] = []
    queue.process((job) => {
      order.push(job.data)
    })
    await waitFor(() => order.length === 5, { description: 'five jobs' })
    expect(order).toEqual(['p0', 'p1', 'p2', 'p5-a', 'p5-b'])
  })

  test('retries with fixed backoff, then completes; attempts and errors are recorded', async () => {
    const { queue, events } = makeQueue<null>(backend)
    const added = await queue.add(null, { attempts: 3, backoff: { type: 'fixed', delay: 150 } })
    const starts: number[] = []
    queue.process((job) => {
      starts.push(Date.now())
      if (job.attempt < 3) throw new Error(`boom ${job.attempt}`)
      return 'ok'
    })
    await waitForState(queue, added.id, 'completed')
    expect(starts).toHaveLength(3)
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(140)
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(140)
    expect(events.of('failed').map((event) => [event.attempt, event.willRetry, event.error])).toEqual([
      [1, true, 'boom 1'],
      [2, true, 'boom 2'],
    ])
    expect(await queue.getJob(added.id)).toMatchObject({ state: 'completed', attempt: 3, result: 'ok', error: null })
  })

  test('exhausted attempts → failed with the last error; retry() runs it again with fresh attempts', async () => {
    const { queue } = makeQueue<null>(backend)
    const added = await queue.add(null, { attempts: 2, backoff: { type: 'exponential', delay: 50 } })
    let fail = true
    queue.process((job) => {
      if (fail) throw new TypeError(`bad input on attempt ${job.attempt}`)
      return 'fixed'
    })
    await waitForState(queue, added.id, 'failed')
    const failed = await queue.getJob(added.id)
    expect(failed).toMatchObject({ state: 'failed', attempt: 2 })
    expect(failed?.error).toMatch(/^TypeError: bad input on attempt 2/)
    expect(await queue.retry('no-such-job')).toBe(false)
    fail = false
    expect(await queue.retry(added.id)).toBe(true)
    await waitForState(queue, added.id, 'completed')
    expect(await queue.getJob(added.id)).toMatchObject({ state: 'completed', attempt: 1, result: 'fixed' })
    expect(await queue.retry(added.id)).toBe(true)
  })

  test('UnrecoverableError fails the job at once', async () => {
    const { queue } = makeQueue<null>(backend)
    const added = await queue.add(null, { attempts: 5 })
    queue.process(() => {
      throw new UnrecoverableError('card declined')
    })
    await waitForState(queue, added.id, 'failed')
    expect(await queue.getJob(added.id)).toMatchObject({
      attempt: 1,
      error: expect.stringMatching(/^UnrecoverableError: card declined/),
    })
  })

  test('per-job timeout: the attempt fails at its timeout and the handler signal aborts', async () => {
    const { queue } = makeQueue<null>(backend)
    const added = await queue.add(null, { timeout: 150, attempts: 1 })
    let abortedWith: unknown
    queue.process(
      (job) =>
        new Promise<void>((resolve) => {
          job.signal.addEventListener('abort', () => {
            abortedWith = job.signal.reason
            resolve()
          })
        }),
    )
    await waitForState(queue, added.id, 'failed')
    expect((await queue.getJob(added.id))?.error).toMatch(/timed out after 150 ms/)
    expect(abortedWith).toMatchObject({ code: 'ERR_JOB_TIMEOUT' })
  })

  test('remove() deletes a job in any state; getJob then answers null', async () => {
    const { queue } = makeQueue<null>(backend)
    const waiting = await queue.add(null)
    const delayed = await queue.add(null, { delay: '1 h' })
    expect(await queue.remove(waiting.id)).toBe(true)
    expect(await queue.remove(delayed.id)).toBe(true)
    expect(await queue.remove(delayed.id)).toBe(false)
    expect(await queue.getJob(waiting.id)).toBeNull()
    expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 })
  })

  test('retention: finished jobs beyond the count are removed with their data', async () => {
    const { queue } = makeQueue<number>(backend, { keep: { completed: { count: 2 }, failed: { age: 0 } } })
    const added = await queue.addBulk([1, 2, 3, 4, 5].map((data) => ({ data })))
    queue.process((job) => {
      if (job.data === 5) throw new UnrecoverableError('no')
    })
    await waitFor(
      async () => (await queue.counts()).completed === 2 && (await queue.getJob(added[4]?.id ?? '')) === null,
      {
        description: 'retention to trim',
      },
    )
    expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 2, failed: 0 })
    const kept = await Promise.all(added.map((job) => queue.getJob(job.id)))
    // The oldest go first; jobs finished in the same millisecond may go in either order.
    const left = kept.filter((job) => job !== null)
    expect(left).toHaveLength(2)
    expect(left.every((job) => job?.state === 'completed' && job.data !== 5)).toBe(true)
  })

  test('progress is stored while the job runs', async () => {
    const { queue } = makeQueue<null>(backend)
    const added = await queue.add(null)
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    queue.process(async (job) => {
      await job.progress({ step: 1, of: 2 })
      await gate
    })
    await waitFor(async () => (await queue.getJob(added.id))?.progress !== null, { description: 'progress' })
    expect(await queue.getJob(added.id)).toMatchObject({ state: 'active', progress: { step: 1, of: 2 } })
    release()
    await waitForState(queue, added.id, 'completed')
  })
})
