import { randomBytes } from 'node:crypto'
import { createQueue } from '@rediware/queue'
import { fromUpstash } from '@rediware/redis'
import { Redis as UpstashRedis } from '@upstash/redis'
import BeeQueue from 'bee-queue'
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq'
import { Redis } from 'ioredis'

export type Handler = (data: Payload) => void | Promise<void>
export interface Payload {
  n: number
  /** performance.now() when the job was added (same process), for add→start latency. */
  at: number
}

export interface Running {
  close(): Promise<void>
}

/** One queue of one library, opened on a Redis for a measurement. */
export interface QueueUnderTest {
  add(data: Payload): Promise<unknown>
  addBulk(items: Payload[]): Promise<unknown>
  work(concurrency: number, handler: Handler): Promise<Running>
  close(): Promise<void>
}

export interface Contender {
  name: string
  open(redisUrl: string, extra: { upstashUrl?: string; upstashToken?: string }): Promise<QueueUnderTest>
}

const uniqueName = () => `bench-${randomBytes(4).toString('hex')}`

/** Retention comparable across libraries: keep at most 1000 completed jobs. */
const KEEP_COMPLETED = 1000

function ours(redisFor: () => object, closeClients: () => Promise<void> | void): QueueUnderTest {
  const queueName = uniqueName()
  // A 10 s deadline per call: a loaded machine can stall Redis past the 250 ms default (BullMQ and bee-queue have none).
  const queue = createQueue<Payload>({
    redis: redisFor(),
    name: queueName,
    timeout: '10 s',
    warn: () => undefined,
    onError: () => undefined,
  })
  return {
    add: (data) => queue.add(data),
    addBulk: (items) => queue.addBulk(items.map((data) => ({ data }))),
    async work(concurrency, handler) {
      const worker = queue.process((job) => handler(job.data), { concurrency })
      return { close: () => worker.close() }
    },
    async close() {
      await queue.close()
      await closeClients()
    },
  }
}

export const rediwareIoredis: Contender = {
  name: '@rediware/queue (ioredis)',
  async open(redisUrl) {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    return ours(
      () => redis,
      () => redis.disconnect(),
    )
  },
}

export const rediwareUpstash: Contender = {
  name: '@rediware/queue (Upstash REST)',
  async open(_redisUrl, { upstashUrl, upstashToken }) {
    if (!upstashUrl || !upstashToken) throw new Error('upstash-local is not running')
    const client = fromUpstash(new UpstashRedis({ url: upstashUrl, token: upstashToken, enableTelemetry: false }), {
      timeout: 5000,
    })
    return ours(
      () => client,
      () => undefined,
    )
  },
}

export const bullmq: Contender = {
  name: 'bullmq 6',
  async open(redisUrl) {
    const name = uniqueName()
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null })
    const queue = new BullQueue(name, {
      connection,
      defaultJobOptions: { removeOnComplete: KEEP_COMPLETED, removeOnFail: 10_000 },
    })
    const workers: BullWorker[] = []
    const connections: Redis[] = [connection]
    return {
      add: (data) => queue.add('job', data),
      addBulk: (items) => queue.addBulk(items.map((data) => ({ name: 'job', data }))),
      async work(concurrency, handler) {
        const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null })
        const worker = new BullWorker(name, async (job) => handler(job.data as Payload), {
          connection: workerConnection,
          concurrency,
        })
        workers.push(worker)
        connections.push(workerConnection)
        await worker.waitUntilReady()
        return { close: () => worker.close() }
      },
      async close() {
        await Promise.all(workers.map((worker) => worker.close()))
        await queue.close()
        for (const each of connections) each.disconnect()
      },
    }
  },
}

export const beeQueue: Contender = {
  name: 'bee-queue 2',
  async open(redisUrl) {
    const name = uniqueName()
    const { hostname, port } = new URL(redisUrl)
    const redis = { host: hostname, port: Number(port) }
    const producer = new BeeQueue<Payload>(name, {
      redis,
      isWorker: false,
      getEvents: false,
      sendEvents: false,
      removeOnSuccess: true,
    })
    const workers: BeeQueue<Payload>[] = []
    await producer.ready()
    return {
      add: (data) => producer.createJob(data).save(),
      addBulk: (items) => producer.saveAll(items.map((data) => producer.createJob(data))),
      async work(concurrency, handler) {
        const worker = new BeeQueue<Payload>(name, {
          redis,
          isWorker: true,
          getEvents: false,
          sendEvents: false,
          removeOnSuccess: true,
        })
        workers.push(worker)
        await worker.ready()
        worker.process(concurrency, async (job) => {
          await handler(job.data)
        })
        return { close: () => worker.close() }
      },
      async close() {
        await Promise.all(workers.map((worker) => worker.close()))
        await producer.close()
      },
    }
  },
}
