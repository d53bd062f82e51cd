import { randomBytes } from 'node:crypto'
import { fromUpstash } from '@rediware/redis'
import { createQueue, QueueError, type Worker } from '@rediware/queue'
import { type RedisServerHandle, startRedisServer, waitFor } from '@rediware/test-utils'
import { startUpstashLocal } from '@rediware/upstash-local'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'ioredis'
import { closeAll, sleep, uniqueName } from './helpers.js'

afterEach(closeAll)

async function expectUnavailable(promise: Promise<unknown>, withinMs: number, queue: string): Promise<void> {
  const started = Date.now()
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(Date.now() - started).toBeLessThan(withinMs)
  expect(error).toBeInstanceOf(QueueError)
  expect(error).toMatchObject({ code: 'ERR_QUEUE_UNAVAILABLE' })
  expect((error as Error).message).toContain(`queue "${queue}"`)
}

// A dedicated redis-server that this file kills and restarts (AOF on, so jobs survive the restart).
describe('when Redis goes down (ioredis)', () => {
  let server: RedisServerHandle
  let raw: Redis

  beforeAll(async () => {
    server = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] })
    raw = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    await new Promise<void>((resolve) => raw.once('ready', () => resolve()))
  })

  afterAll(async () => {
    raw.disconnect()
    await server.stop()
  })

  test('add rejects within the deadline; the worker backs off, reports once, says so in health(), and resumes by itself', async () => {
    const errors: Error[] = []
    const name = uniqueName()
    // A 1 s deadline: on a loaded machine a slow answer past the 250 ms default after the restart would
    // count as a second outage.
    const queue = createQueue<string>({ redis: raw, name, timeout: '1 s', onError: (error) => errors.push(error) })
    let release = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const seen: string[] = []
    const worker: Worker<string> = queue.process(async (job) => {
      seen.push(job.data)
      if (job.data === 'during') await gate
      return job.data
    })
    const during = await queue.add('during')
    await waitFor(() => seen.includes('during'), { description: 'the job to start' })

    await server.kill()
    await expectUnavailable(queue.add('lost'), 3000, name)
    release()
    await waitFor(() => worker.health().inOutage, { description: 'the worker to notice the outage' })
    expect(worker.health().lastError).toBeInstanceOf(Error)
    await sleep(1500)
    expect(worker.health().state).toBe('running')

    await server.restart()
    await waitFor(async () => (await queue.getJob(during.id).catch(() => null))?.state === 'completed', {
      description: 'the job finished during the outage to be settled after it',
      timeout: 20_000,
      interval: 100,
    })
    const after = await queue.add('after')
    await waitFor(async () => (await queue.getJob(after.id))?.state === 'completed', {
      description: 'a new job to run',
      timeout: 20_000,
    })
    expect(await queue.getJob(during.id)).toMatchObject({ attempt: 1, result: 'during' })
    expect(worker.health().inOutage).toBe(false)
    expect(Date.now() - (worker.health().lastProgressAt?.getTime() ?? 0)).toBeLessThan(5000)
    expect(errors).toHaveLength(1)
    await queue.close()
  }, 60_000)

  test('a paused server: add rejects at the deadline instead of hanging', async () => {
    const name = uniqueName()
    const queue = createQueue({ redis: raw, name, onError: () => undefined })
    await queue.add('warm')
    await server.pause(1500)
    await expectUnavailable(queue.add('paused'), 1200, name)
    await sleep(1600)
    await queue.close()
  })
})

describe('when upstash-local goes down (Upstash REST)', () => {
  test('add rejects within the deadline and a worker resumes after it returns', async () => {
    const server = await startRedisServer()
    const token = randomBytes(16).toString('hex')
    let local = await startUpstashLocal({ redisUrl: server.url, token, port: 0 })
    const port = Number(new URL(local.url).port)
    try {
      const client = fromUpstash(new UpstashRedis({ url: local.url, token, enableTelemetry: false, retry: false }), {
        timeout: 1000,
      })
      const name = uniqueName()
      const errors: Error[] = []
      const queue = createQueue<number>({ redis: client, name, onError: (error) => errors.push(error) })
      const worker = queue.process((job) => job.data * 2, { pollInterval: 200 })
      await local.close()
      await expectUnavailable(queue.add(1), 2500, name)
      await waitFor(() => worker.health().inOutage, { description: 'the outage to be seen' })
      local = await startUpstashLocal({ redisUrl: server.url, token, port })
      const added = await waitForAdd(() => queue.add(21))
      await waitFor(async () => (await queue.getJob(added))?.state === 'completed', {
        description: 'the job to run',
        timeout: 20_000,
      })
      expect(await queue.getJob(added)).toMatchObject({ result: 42 })
      expect(errors).toHaveLength(1)
      await queue.close()
    } finally {
      await local.close().catch(() => undefined)
      await server.stop()
    }
  }, 60_000)
})

/** The client's breaker may still be open for a moment after the server returns. */
async function waitForAdd(add: () => Promise<{ id: string }>): Promise<string> {
  let id = ''
  await waitFor(
    async () => {
      id = (await add()).id
      return true
    },
    { description: 'add to succeed again', timeout: 10_000, interval: 200 },
  )
  return id
}
