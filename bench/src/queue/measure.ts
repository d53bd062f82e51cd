import { performance } from 'node:perf_hooks'
import { countCommands } from './monitor.js'
import type { Contender, Payload } from './contenders.js'
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

export async function addRate(
  contender: Contender,
  redis: BenchRedis,
  extra: Extra,
  jobs: number,
  bulk: number,
): Promise<Rate> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  try {
    return await timed(redis, jobs, async () => {
      if (bulk <= 1) {
        for (let n = 0; n < jobs; n += 1) await queue.add(payload(n))
      } else {
        for (let n = 0; n < jobs; n += bulk)
          await queue.addBulk(Array.from({ length: Math.min(bulk, jobs - n) }, (_, i) => payload(n + i)))
      }
    })
  } finally {
    await queue.close()
  }
}

/** Jobs added first, then a worker drains them with a no-op handler. */
export async function processRate(
  contender: Contender,
  redis: BenchRedis,
  extra: Extra,
  jobs: number,
  concurrency: number,
): Promise<Rate> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  try {
    for (let n = 0; n < jobs; n += 1000)
      await queue.addBulk(Array.from({ length: Math.min(1000, jobs - n) }, (_, i) => payload(n + i)))
    let done = 0
    let finished: () => void = () => undefined
    const allDone = new Promise<void>((resolve) => {
      finished = resolve
    })
    let worker: { close(): Promise<void> } | undefined
    const rate = await timed(redis, jobs, async () => {
      worker = await queue.work(concurrency, () => {
        done += 1
        if (done === jobs) finished()
      })
      await allDone
    })
    await worker?.close()
    return rate
  } finally {
    await queue.close()
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN

/** Jobs added one at a time at `perSecond` while a worker (concurrency 16) runs: add → handler start. */
export async function latency(
  contender: Contender,
  redis: BenchRedis,
  extra: Extra,
  perSecond: number,
  seconds: number,
): Promise<{ p50: number; p99: number }> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  const samples: number[] = []
  try {
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
  } finally {
    await queue.close()
  }
  const sorted = samples.sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) }
}

/** Client commands (MONITOR, scripts count once) per job: add one at a time, then a worker drains them. */
export async function commandsPerJob(
  contender: Contender,
  redis: BenchRedis,
  extra: Extra,
  jobs: number,
  concurrency: number,
): Promise<number> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  try {
    let done = 0
    const count = await countCommands(redis.port, async () => {
      for (let n = 0; n < jobs; n += 1) await queue.add(payload(n))
      const worker = await queue.work(concurrency, () => {
        done += 1
      })
      while (done < jobs) await sleep(5)
      await worker.close()
    })
    return count / jobs
  } finally {
    await queue.close()
  }
}

/** Client commands per minute of one idle worker (concurrency 1, the library's defaults), after a warm-up. */
export async function idleCommandsPerMinute(
  contender: Contender,
  redis: BenchRedis,
  extra: Extra,
  warmupMs: number,
  windowMs: number,
): Promise<number> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  try {
    const worker = await queue.work(1, () => undefined)
    await sleep(warmupMs)
    const count = await countCommands(redis.port, async () => {
      await sleep(windowMs)
    })
    await worker.close()
    return (count * 60_000) / windowMs
  } finally {
    await queue.close()
  }
}

/** HTTP requests per job over Upstash REST (add one at a time, then a worker drains them). */
export async function requestsPerJob(
  contender: Contender,
  redis: BenchRedis,
  extra: Extra,
  jobs: number,
  concurrency: number,
): Promise<number> {
  await redis.admin.flushall()
  const queue = await contender.open(redis.url, extra)
  const realFetch = globalThis.fetch
  let requests = 0
  globalThis.fetch = (...args: Parameters<typeof fetch>) => {
    requests += 1
    return realFetch(...args)
  }
  try {
    let done = 0
    for (let n = 0; n < jobs; n += 1) await queue.add(payload(n))
    const worker = await queue.work(concurrency, () => {
      done += 1
    })
    while (done < jobs) await sleep(5)
    await worker.close()
    return requests / jobs
  } finally {
    globalThis.fetch = realFetch
    await queue.close()
  }
}
