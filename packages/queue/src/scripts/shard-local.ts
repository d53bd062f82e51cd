import type { LocalRedis, Reply } from '@rediware/redis'
import { type StoredJob, parseStoredJob } from '../record.js'

/** Waiting order: `priority × SPAN + sequence`, exact in a double up to priority 2^21. */
export const SPAN = 4294967296
export const STEP = 100

const asText = (reply: Reply): string => (typeof reply === 'string' ? reply : String(reply))
const asTexts = (reply: Reply): string[] => (Array.isArray(reply) ? reply.map(asText) : [])

/** Retention of one finished set: -1 means unbounded. */
export interface Keep {
  age: number
  count: number
}

/**
 * The TypeScript twin of `shardLua`, over the memory backend's keyspace: the same operations in the
 * same order, so a script's `local` reads line by line like its Lua.
 */
export class LocalShard {
  readonly now: number
  readonly #redis: LocalRedis
  readonly wait: string
  readonly delayed: string
  readonly active: string
  readonly completed: string
  readonly failed: string
  readonly jobs: string
  readonly data: string
  readonly seq: string
  readonly fired: string

  constructor(redis: LocalRedis, keys: readonly string[]) {
    this.#redis = redis
    const [
      wait = '',
      delayed = '',
      active = '',
      completed = '',
      failed = '',
      jobs = '',
      data = '',
      seq = '',
      fired = '',
    ] = keys
    this.wait = wait
    this.delayed = delayed
    this.active = active
    this.completed = completed
    this.failed = failed
    this.jobs = jobs
    this.data = data
    this.seq = seq
    this.fired = fired
    const [seconds = '0', micros = '0'] = asTexts(redis.call('TIME'))
    this.now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
  }

  call(name: string, ...args: (string | number)[]): Reply {
    return this.#redis.call(name, ...args)
  }

  load(id: string): StoredJob | undefined {
    const raw = this.call('HGET', this.jobs, id)
    return typeof raw === 'string' ? parseStoredJob(raw) : undefined
  }

  save(id: string, job: StoredJob): void {
    this.call('HSET', this.jobs, id, JSON.stringify(job))
  }

  order(job: StoredJob): number {
    const seq = Number(this.call('INCR', this.seq))
    return (job.priority ?? 0) * SPAN + (seq % SPAN)
  }

  enqueue(id: string, job: StoredJob, runAt: number): void {
    if (runAt > this.now) {
      job.state = 'delayed'
      job.runAt = runAt
      this.call('ZADD', this.delayed, runAt, id)
    } else {
      job.state = 'waiting'
      job.runAt = undefined
      this.call('ZADD', this.wait, this.order(job), id)
    }
    this.save(id, job)
  }

  backoff(job: StoredJob, jitter: number): number {
    let delay = job.backoffDelay ?? 0
    if (job.backoffType === 'exponential') delay = delay * 2 ** ((job.attempt || 1) - 1)
    const cap = job.backoffMax ?? delay
    if (delay > cap) delay = cap
    return Math.floor(delay - delay * (job.jitter ?? 0) * jitter)
  }

  drop(id: string): void {
    this.call('HDEL', this.jobs, id)
    this.call('HDEL', this.data, id)
  }

  trim(key: string, keep: Keep): void {
    if (keep.age >= 0) {
      for (const id of asTexts(this.call('ZRANGEBYSCORE', key, '-inf', this.now - keep.age, 'LIMIT', 0, STEP))) {
        this.call('ZREM', key, id)
        this.drop(id)
      }
    }
    if (keep.count >= 0) {
      const excess = Math.min(Number(this.call('ZCARD', key)) - keep.count, STEP)
      if (excess > 0) {
        const popped = asTexts(this.call('ZPOPMIN', key, excess))
        for (let index = 0; index < popped.length; index += 2) this.drop(popped[index] ?? '')
      }
    }
  }

  finish(id: string, job: StoredJob, state: 'completed' | 'failed', keep: Keep): void {
    job.state = state
    job.finishedAt = this.now
    job.lease = undefined
    job.runAt = undefined
    this.save(id, job)
    const key = state === 'completed' ? this.completed : this.failed
    this.call('ZADD', key, this.now, id)
    this.trim(key, keep)
  }

  /** Returns 2 (will retry) or 3 (failed), like the Lua. */
  failAttempt(id: string, job: StoredJob, message: string, retry: boolean, jitter: number, keep: Keep): 2 | 3 {
    job.error = message
    job.lease = undefined
    if (retry && (job.attempt || 0) < (job.attempts || 1)) {
      this.enqueue(id, job, this.now + this.backoff(job, jitter))
      return 2
    }
    this.finish(id, job, 'failed', keep)
    return 3
  }

  addJob(id: string, payload: string, template: string): [created: 0 | 1, state: string] {
    const existing = this.load(id)
    if (existing) return [0, existing.state]
    const { delay = 0, ...rest } = JSON.parse(template) as StoredJob & { delay?: number }
    const job: StoredJob = { ...rest, attempt: 0, addedAt: this.now }
    this.call('HSET', this.data, id, payload)
    this.enqueue(id, job, this.now + delay)
    return [1, job.state]
  }
}

export const readKeep = (args: readonly string[], at: number): Keep => ({
  age: Number(args[at]),
  count: Number(args[at + 1]),
})
