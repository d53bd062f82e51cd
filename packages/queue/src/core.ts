import { randomBytes } from 'node:crypto'
import { type Arg, type CallOptions, commands, OutageReporter, type RedisClient } from '@rediware/redis'
import { unavailable } from './errors.js'
import { QueueKeys, type Shard } from './keys.js'
import { LiveEvents } from './live-events.js'
import type { ResolvedQueueOptions } from './options.js'
import { parseStoredJob, type JobState, type JobTemplate, type StoredJob } from './record.js'
import { type AddOutcome, addScript } from './scripts/add.js'
import { fireScript, type FireOutcome } from './scripts/fire.js'
import { listScript } from './scripts/list.js'
import { releaseScript } from './scripts/release.js'
import { removeScript } from './scripts/remove.js'
import { renewScript } from './scripts/renew.js'
import { retryScript } from './scripts/retry.js'
import { type TakeReply, takeScript } from './scripts/take.js'
import type { Counts, JobInfo } from './types.js'

/** A job a worker finished, to settle in its next `take`. */
export interface Settlement {
  id: string
  token: string
  /** 'c' completed, 'f' failed (retry while attempts remain), 'x' failed for good. */
  outcome: 'c' | 'f' | 'x'
  /** Result JSON or error text. */
  value: string
}

/** Most jobs one `add` script call carries (the rest go in further calls of the same round trip). */
const ADD_CHUNK = 200

/** A new job id: time-ordered (base36 ms) and random, so ids sort roughly by creation. */
export const newJobId = (): string => `${Date.now().toString(36)}-${randomBytes(6).toString('base64url')}`

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const dateOrNull = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms))

export function toJobInfo<T>(id: string, job: StoredJob, payload: string | null): JobInfo<T> {
  return {
    id,
    data: parseJson(payload) as T,
    state: job.state,
    attempt: job.attempt,
    attempts: job.attempts,
    progress: parseJson(job.progress),
    result: parseJson(job.result),
    error: job.error ?? null,
    name: job.name ?? null,
    priority: job.priority ?? 0,
    stalls: job.stalls ?? 0,
    addedAt: new Date(job.addedAt),
    runAt: dateOrNull(job.runAt),
    startedAt: dateOrNull(job.startedAt),
    finishedAt: dateOrNull(job.finishedAt),
  }
}

/** Workers of each queue (`<prefix><name>`) in this process, so an `add` here wakes them at once. */
const localWorkers = new Map<string, Set<{ wake(): void }>>()

/** The queue's Redis operations: one script call (or one batch) each, errors wrapped with the queue's name. */
export class QueueCore {
  readonly name: string
  readonly client: RedisClient
  readonly keys: QueueKeys
  readonly options: ResolvedQueueOptions
  /** Outages seen by schedules (workers keep their own); `add` callers get the error itself. */
  readonly outage: OutageReporter
  /** Job events to the realtime channel (`events`); a no-op without it. */
  readonly live: LiveEvents
  readonly #local: string
  /** Options of every call: the queue's `timeout`, if set. */
  readonly #call0: CallOptions

  constructor(options: ResolvedQueueOptions) {
    this.options = options
    this.name = options.name
    this.client = options.client
    this.keys = new QueueKeys(options.prefix, options.name, options.shards)
    this.outage = new OutageReporter({ onOutage: (error) => options.hooks.error(error) })
    this.live = new LiveEvents(options.name, options.events, (error) => options.hooks.error(error))
    this.#local = `${options.prefix}${options.name}`
    this.#call0 = options.timeout === undefined ? {} : { timeout: options.timeout }
  }

  register(worker: { wake(): void }): () => void {
    const set = localWorkers.get(this.#local) ?? new Set()
    set.add(worker)
    localWorkers.set(this.#local, set)
    return () => {
      set.delete(worker)
      if (set.size === 0 && localWorkers.get(this.#local) === set) localWorkers.delete(this.#local)
    }
  }

  wakeWorkers(): void {
    for (const worker of localWorkers.get(this.#local) ?? []) worker.wake()
  }

  async #call<R>(action: string, run: () => Promise<R>): Promise<R> {
    try {
      return await run()
    } catch (error) {
      throw unavailable(this.name, action, error)
    }
  }

  /** Adds jobs (id, payload JSON, template); one script call per shard and chunk, all sent at once. */
  async add(jobs: readonly { id: string; payload: string; template: JobTemplate }[]): Promise<AddOutcome[]> {
    const byShard = new Map<Shard, { index: number; args: Arg[] }[]>()
    jobs.forEach((job, index) => {
      const shard = this.keys.shardOf(job.id)
      const list = byShard.get(shard) ?? []
      list.push({ index, args: [job.id, job.payload, JSON.stringify(job.template)] })
      byShard.set(shard, list)
    })
    const outcomes: AddOutcome[] = new Array(jobs.length)
    const calls: Promise<void>[] = []
    for (const [shard, list] of byShard) {
      for (let start = 0; start < list.length; start += ADD_CHUNK) {
        const chunk = list.slice(start, start + ADD_CHUNK)
        calls.push(
          this.client
            .runScript(
              addScript,
              shard.keys,
              chunk.flatMap((item) => item.args),
              this.#call0,
            )
            .then((replies) => {
              replies.forEach((reply, offset) => {
                const item = chunk[offset]
                if (item) outcomes[item.index] = reply
              })
            }),
        )
      }
    }
    await this.#call(jobs.length === 1 ? 'add a job' : `add ${jobs.length} jobs`, () => Promise.all(calls))
    return outcomes
  }

  take(shard: Shard, worker: string, lease: number, count: number, settlement?: Settlement): Promise<TakeReply> {
    const { keepCompleted, keepFailed } = this.options
    const args: Arg[] = [
      worker,
      lease,
      count,
      Math.random(),
      keepCompleted.age,
      keepCompleted.count,
      keepFailed.age,
      keepFailed.count,
    ]
    if (settlement) args.push(settlement.id, settlement.token, settlement.outcome, settlement.value)
    else args.push('', '', '', '')
    return this.#call('take jobs', () => this.client.runScript(takeScript, shard.keys, args, this.#call0))
  }

  renew(
    shard: Shard,
    lease: number,
    held: readonly { id: string; token: string; progress: string }[],
  ): Promise<boolean[]> {
    const args: Arg[] = [lease, ...held.flatMap((job) => [job.id, job.token, job.progress])]
    return this.#call('renew leases', () => this.client.runScript(renewScript, shard.keys, args, this.#call0))
  }

  release(shard: Shard, held: readonly { id: string; token: string }[]): Promise<number> {
    return this.#call('give jobs back', () =>
      this.client.runScript(
        releaseScript,
        shard.keys,
        held.flatMap((job) => [job.id, job.token]),
        this.#call0,
      ),
    )
  }

  fire(schedule: string, tick: number, id: string, payload: string, template: JobTemplate): Promise<FireOutcome> {
    const shard = this.keys.shardOf(id)
    return this.#call('fire a schedule', () =>
      this.client.runScript(
        fireScript,
        shard.keys,
        [schedule, tick, id, payload, JSON.stringify(template)],
        this.#call0,
      ),
    )
  }

  async retry(id: string): Promise<boolean> {
    const outcome = await this.#call('retry a job', () =>
      this.client.runScript(retryScript, this.keys.shardOf(id).keys, [id], this.#call0),
    )
    if (outcome === 1) this.live.emit('waiting', id, 0)
    return outcome === 1
  }

  async remove(id: string): Promise<boolean> {
    const removed = await this.#call('remove a job', () =>
      this.client.runScript(removeScript, this.keys.shardOf(id).keys, [id], this.#call0),
    )
    if (removed) this.live.emit('removed', id, 0)
    return removed
  }

  async getJob<T>(id: string): Promise<JobInfo<T> | null> {
    const shard = this.keys.shardOf(id)
    const [record, payload] = await this.#call('read a job', () =>
      this.client.batch([commands.hget(shard.key('jobs'), id), commands.hget(shard.key('data'), id)], this.#call0),
    )
    const job = parseStoredJob(record)
    return job ? toJobInfo<T>(id, job, payload) : null
  }

  async counts(): Promise<Counts> {
    const perShard = await this.#call('count jobs', () =>
      Promise.all(
        this.keys.shards.map((shard) =>
          this.client.batch(
            [
              commands.zcard(shard.key('wait')),
              commands.zcard(shard.key('delayed')),
              commands.zcard(shard.key('active')),
              commands.zcard(shard.key('completed')),
              commands.zcard(shard.key('failed')),
            ],
            this.#call0,
          ),
        ),
      ),
    )
    const counts: Counts = { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 }
    for (const [waiting, delayed, active, completed, failed] of perShard) {
      counts.waiting += waiting
      counts.delayed += delayed
      counts.active += active
      counts.completed += completed
      counts.failed += failed
    }
    return counts
  }

  /**
   * One page of jobs in a state. With several shards, each shard's first `offset + limit` are merged
   * by the state's order (finished: newest first; others: oldest first).
   */
  async list<T>(state: JobState, offset: number, limit: number): Promise<{ total: number; jobs: JobInfo<T>[] }> {
    const sharded = this.keys.shards.length > 1
    const pages = await this.#call('list jobs', () =>
      Promise.all(
        this.keys.shards.map((shard) =>
          this.client.runScript(
            listScript,
            shard.keys,
            [state, sharded ? 0 : offset, sharded ? offset + limit : limit],
            this.#call0,
          ),
        ),
      ),
    )
    const jobs: JobInfo<T>[] = []
    for (const page of pages) {
      for (const { id, record } of page.jobs) {
        const job = parseStoredJob(record)
        if (job) jobs.push(toJobInfo<T>(id, job, null))
      }
    }
    if (sharded) {
      const finished = state === 'completed' || state === 'failed'
      const time = (job: JobInfo<T>) =>
        finished ? -(job.finishedAt?.getTime() ?? 0) : (job.runAt ?? job.addedAt).getTime()
      jobs.sort((a, b) => time(a) - time(b))
    }
    return {
      total: pages.reduce((sum, page) => sum + page.total, 0),
      jobs: sharded ? jobs.slice(offset, offset + limit) : jobs,
    }
  }
}
