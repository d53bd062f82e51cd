import { performance } from 'node:perf_hooks'
import { countCommands } from './monitor.js'
import type { Contender, Payload, QueueUnderTest } from './contenders.js'
import type { BenchRedis } from './redis.js'

export interface Rate {
  jobsPerSec: number
  /** CPU of this process (producer + worker) per job, µs. */
  appCpuMicros: number
  /** Redis CPU per job, µs. */
  redisCpuMicros: number
}

export interface Extra {
  upstashUrl?: string
  upstashToken?: string
}

/** What one measurement runs: a contender's queue on a Redis (`extra`: the Upstash endpoint). */
export interface Subject {
  contender: Contender
  redis: BenchRedis
  extra: Extra
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const payload = (n: number): Payload => ({ n, at: performance.now() })

async function timed(redis: BenchRedis, jobs: number, work: () => Promise<void>): Promise<Rate> {
  const redisBefore = await redis.cpuMicros()
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  await work()
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  const redisCpu = (await redis.cpuMicros()) - redisBefore
  return { jobsPerSec: jobs / seconds, appCpuMicros: (cpu.user + cpu.system) / jobs, redisCpuMicros: redisCpu / jobs }
}

/** Runs `use` on a fresh queue of `contender` over an emptied Redis, and closes the queue after. */
async function withFreshQueue<T>(
  { contender, redis, extra }: Subject,
  use: (queue: QueueUnderTest) => Promise<T>,
): Promise<T> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  try {
    return await use(queue)
  } finally {
    await queue.close()
  }
}

/** Adds `jobs` one at a time, then runs a no-op worker until it has handled them all. */
async function addThenDrain(queue: QueueUnderTest, jobs: number, concurrency: number): Promise<void> {
  let done = 0
  for (let n = 0; n < jobs; n += 1) await queue.add(payload(n))
  const worker = await queue.work(concurrency, () => {
    done += 1
  })
  while (done < jobs) await sleep(5)
  await worker.close()
}

export async function addRate(subject: Subject, jobs: number, bulk: number): Promise<Rate> {
  return withFreshQueue(subject, (queue) =>
    timed(subject.redis, jobs, async () => {
      if (bulk <= 1) {
        for (let n = 0; n < jobs; n += 1) await queue.add(payload(n))
      } else {
        for (let n = 0; n < jobs; n += bulk)
          await queue.addBulk(Array.from({ length: Math.min(bulk, jobs - n) }, (_, i) => payload(n + i)))
      }
    }),
  )
}

/** Jobs added first, then a worker drains them with a no-op handler. */
export async function processRate(subject: Subject, jobs: number, concurrency: number): Promise<Rate> {
  return withFreshQueue(subject, async (queue) => {
    for (let n = 0; n < jobs; n += 1000)
      await queue.addBulk(Array.from({ length: Math.min(1000, jobs - n) }, (_, i) => payload(n + i)))
    let done = 0
    let finished: () => void = () => undefined
    const allDone = new Promise<void>((resolve) => {
      finished = resolve
    })
    let worker: { close(): Promise<void> } | undefined
    const rate = await timed(subject.redis, jobs, async () => {
      worker = await queue.work(concurrency, () => {
        done += 1
        if (done === jobs) finished()
      })
      await allDone
    })
    await worker?.close()
    return rate
  })
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN

/** Jobs added one at a time at `perSecond` while a worker (concurrency 16) runs: add → handler start. */
export async function latency(
  subject: Subject,
  perSecond: number,
  seconds: number,
): Promise<{ p50: number; p99: number }> {
  const samples: number[] = []
  await withFreshQueue(subject, async (queue) => {
    const worker = await queue.work(16, (data) => {
      samples.push(performance.now() - data.at)
    })
    await sleep(200)
    const total = perSecond * seconds
    const started = performance.now()
    const adds: Promise<unknown>[] = []
    for (let n = 0; n < total; n += 1) {
      const due = started + (n * 1000) / perSecond
      const wait = due - performance.now()
      if (wait > 1) await sleep(wait)
      adds.push(queue.add(payload(n)))
    }
    await Promise.all(adds)
    const deadline = performance.now() + 10_000
    while (samples.length < total && performance.now() < deadline) await sleep(20)
    await worker.close()
  })
  const sorted = samples.sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

/** Client commands (MONITOR, scripts count once) per job: add one at a time, then a worker drains them. */
export async function commandsPerJob(subject: Subject, jobs: number, concurrency: number): Promise<number> {
  return withFreshQueue(subject, async (queue) => {
    const count = await countCommands(subject.redis.port, () => addThenDrain(queue, jobs, concurrency))
    return count / jobs
  })
}

/** Client commands per minute of one idle worker (concurrency 1, the library's defaults), after a warm-up. */
export async function idleCommandsPerMinute(subject: Subject, warmupMs: number, windowMs: number): Promise<number> {
  return withFreshQueue(subject, async (queue) => {
    const worker = await queue.work(1, () => undefined)
    await sleep(warmupMs)
    const count = await countCommands(subject.redis.port, async () => {
      await sleep(windowMs)
    })
    await worker.close()
    return (count * 60_000) / windowMs
  })
}

/** HTTP requests per job over Upstash REST (add one at a time, then a worker drains them). */
export async function requestsPerJob(subject: Subject, jobs: number, concurrency: number): Promise<number> {
  return withFreshQueue(subject, async (queue) => {
    const realFetch = globalThis.fetch
    let requests = 0
    globalThis.fetch = (...args: Parameters<typeof fetch>) => {
      requests += 1
      return realFetch(...args)
    }
    try {
      await addThenDrain(queue, jobs, concurrency)
      return requests / jobs
    } finally {
      globalThis.fetch = realFetch
    }
  })
}
