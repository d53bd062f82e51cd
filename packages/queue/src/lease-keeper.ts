import type { QueueCore } from './core.js'
import { QueueError } from './errors.js'
import type { Shard } from './keys.js'
import type { RunningJob } from './running-job.js'

export interface LeaseEvents {
  succeeded(): void
  failed(error: unknown): void
  /** Redis says the job is no longer ours. */
  lost(job: RunningJob): void
}

/**
 * Renews the leases of a worker's running jobs every third of the lease (one script call per shard),
 * and sends progress with a renewal. Runs only while the worker has jobs.
 */
export class LeaseKeeper {
  readonly #core: QueueCore
  readonly #lease: number
  readonly #running: ReadonlyMap<string, RunningJob>
  readonly #events: LeaseEvents
  #timer: NodeJS.Timeout | undefined
  #renewing = false

  constructor(core: QueueCore, lease: number, running: ReadonlyMap<string, RunningJob>, events: LeaseEvents) {
    this.#core = core
    this.#lease = lease
    this.#running = running
    this.#events = events
  }

  start(): void {
    if (this.#timer) return
    this.#timer = setInterval(() => void this.#renewAll(), Math.max(50, Math.floor(this.#lease / 3)))
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #renewAll(): Promise<void> {
    if (this.#running.size === 0) {
      this.stop()
      return
    }
    if (this.#renewing) return
    this.#renewing = true
    try {
      const byShard = new Map<Shard, RunningJob[]>()
      for (const job of this.#running.values()) {
        if (!job.lost) byShard.set(job.shard, [...(byShard.get(job.shard) ?? []), job])
      }
      await Promise.all(
        [...byShard].map(([shard, jobs]) =>
          this.#renew(shard, jobs).catch((error: unknown) => this.#events.failed(error)),
        ),
      )
    } finally {
      this.#renewing = false
    }
  }

  async #renew(shard: Shard, jobs: RunningJob[]): Promise<void> {
    const held = jobs.map((job) => ({ id: job.id, token: job.token, progress: job.pendingProgress }))
    const sent = jobs.map((job) => job.pendingProgress)
    const replies = await this.#core.renew(shard, this.#lease, held)
    this.#events.succeeded()
    jobs.forEach((job, index) => {
      if (job.pendingProgress === sent[index]) job.pendingProgress = ''
      if (replies[index] === false) this.#events.lost(job)
    })
  }

  /** Stores a job's progress now (and renews its lease). Rejects when the lease is gone. */
  async progress(job: RunningJob, value: unknown): Promise<void> {
    if (job.lost) throw new QueueError('ERR_LEASE_LOST', `@rediware/queue: job "${job.id}" is no longer this worker's.`)
    let json: string
    try {
      json = JSON.stringify(value) ?? 'null'
    } catch (error) {
      throw new TypeError(
        `@rediware/queue: progress must be JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`,
      )
    }
    job.pendingProgress = json
    await this.#renew(job.shard, [job])
    if (job.lost) throw new QueueError('ERR_LEASE_LOST', `@rediware/queue: the lease on job "${job.id}" was lost.`)
  }
}
