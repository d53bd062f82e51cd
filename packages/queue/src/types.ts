import type { Duration, HookOptions, RedisInput } from '@rediware/redis'
import type { LiveEventsOptions } from './live-events.js'
import type { JobState } from './record.js'

export type { JobState } from './record.js'

/** How long to wait before the next attempt of a failed job. */
export interface Backoff {
  /** `fixed`: `delay` every time; `exponential`: `delay × 2^(attempt − 1)`. */
  type: 'fixed' | 'exponential'
  delay: Duration
  /**
   * Fraction of each delay taken off at random, 0–1, so jobs that failed together do not retry
   * together. Default 0.2 for `exponential`, 0 for `fixed`.
   */
  jitter?: number
  /** Longest delay. Default `'1 d'`. */
  max?: Duration
}

export interface JobOptions {
  /** The job's id. Adding an id that exists returns the existing job and enqueues nothing. Default: a new random id. */
  id?: string
  /** Run no earlier than this long from now. */
  delay?: Duration
  /** Attempts in all, the first included (a stalled attempt counts). Default 3. */
  attempts?: number
  /** Wait between attempts. Default exponential from 1 s. */
  backoff?: Backoff
  /** Lower runs first: 0 (the default) before 1, 1 before 2, … up to 2 097 152. */
  priority?: number
  /** Time limit of one attempt; past it the attempt fails (and `job.signal` aborts). Default none. */
  timeout?: Duration
}

/** How long finished jobs are kept: whichever bound is reached first removes them. */
export interface Retention {
  /** Default `'1 d'` for completed jobs, `'7 d'` for failed ones. */
  age?: Duration
  /** Default 1000 completed, 10 000 failed (per queue, split evenly over its shards). */
  count?: number
}

export interface QueueOptions extends HookOptions<QueueEvent> {
  /** ioredis `Redis`/`Cluster`, node-redis client/cluster, `@upstash/redis` `Redis`, or a `RedisClient`. Omitted: in-process (one warning). */
  redis?: RedisInput
  /** The queue's name: 1–64 letters, digits, `-` or `_`. */
  name: string
  /** Key prefix. Default `'queue:'`. */
  prefix?: string
  /** Deadline of each Redis call (`add`, a worker's claim, …). Default: the client's (250 ms over TCP, 1 s over HTTP). */
  timeout?: Duration
  /** Hash slots one busy queue spreads over on Redis Cluster (each shard is one slot). Default 1. */
  shards?: number
  /** Options every `add` starts from (its own options win). */
  defaults?: Omit<JobOptions, 'id'>
  /** Retention of finished jobs. */
  keep?: { completed?: Retention; failed?: Retention }
  /**
   * Publishes each job's state changes and progress to a realtime channel (`{ realtime, channel }`,
   * `realtime` from `createRealtime()` of @rediware/realtime), so pages and the dashboard update live.
   */
  events?: LiveEventsOptions
}

export interface WorkerOptions {
  /** Jobs run at once by this worker. Default 1. */
  concurrency?: number
  /**
   * How long a claimed job is ours without renewal. Renewed every third of it while the handler runs;
   * a worker that dies loses its jobs after at most this long. Default `'30 s'`.
   */
  lease?: Duration
  /** Longest wait between two looks for work while the queue is idle. Default `'30 s'`. */
  pollInterval?: Duration
}

/** What a handler gets. */
export interface Job<T> {
  readonly id: string
  readonly data: T
  /** This attempt's number, from 1. */
  readonly attempt: number
  /** Attempts allowed in all. */
  readonly attempts: number
  /** The schedule that made this job, if any. */
  readonly name: string | undefined
  readonly queue: string
  /** Aborts when the attempt times out, the lease is lost, or the worker closes without finishing it. */
  readonly signal: AbortSignal
  /** Stores a progress value (any JSON) and renews the lease. */
  progress(value: unknown): Promise<void>
}

export type JobHandler<T> = (job: Job<T>) => unknown

/** A job as `getJob` and the dashboard show it. */
export interface JobInfo<T> {
  id: string
  data: T
  state: JobState
  /** Attempts started so far. */
  attempt: number
  attempts: number
  progress: unknown
  result: unknown
  /** The last failed attempt's error (cleared when the job completes). */
  error: string | null
  name: string | null
  priority: number
  /** Times its lease expired while it ran. */
  stalls: number
  addedAt: Date
  /** When a delayed job is due. */
  runAt: Date | null
  startedAt: Date | null
  finishedAt: Date | null
}

export interface AddedJob {
  id: string
  /** False when a job with this id existed: nothing was enqueued. */
  created: boolean
  state: JobState
}

export interface Counts {
  waiting: number
  delayed: number
  active: number
  completed: number
  failed: number
}

export interface WorkerHealth {
  state: 'running' | 'closing' | 'closed'
  /** Jobs whose handler is running now. */
  running: number
  /** Last successful round trip to Redis (a claim, a settle, a renewal); null before the first. */
  lastProgressAt: Date | null
  /** Whether the worker is backing off because Redis fails. */
  inOutage: boolean
  lastError: Error | null
  processed: number
  failed: number
}

export type Schedule = { cron: string; timezone?: string } | { every: Duration }

export type QueueEvent =
  | { type: 'added'; queue: string; id: string; created: boolean }
  | { type: 'completed'; queue: string; id: string; attempt: number; durationMs: number }
  | { type: 'failed'; queue: string; id: string; attempt: number; error: string; willRetry: boolean }
  | { type: 'stalled'; queue: string; id: string; attempt: number; willRetry: boolean }
  | { type: 'lease-lost'; queue: string; id: string; attempt: number }
  | { type: 'fired'; queue: string; schedule: string; id: string; tick: Date; created: boolean }
