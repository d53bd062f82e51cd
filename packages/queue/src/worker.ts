import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { type Duration, OutageReporter } from '@rediware/redis'
import type { QueueCore, Settlement } from './core.js'
import type { QueueError } from './errors.js'
import type { Shard } from './keys.js'
import { reader, type ResolvedWorkerOptions } from './options.js'
import { type Outcome, RunningJob, runHandler } from './running-job.js'
import type { ClaimedJob, TakeReply } from './scripts/take.js'
import { Backoff, Sleeper } from './sleeper.js'
import type { JobHandler, WorkerHealth } from './types.js'
import { LeaseKeeper } from './lease-keeper.js'
import {
  givenBackOnClose,
  leaseLost,
  reportCompleted,
  reportFailed,
  reportLeaseLost,
  reportStalled,
} from './worker-reports.js'

/** The first wait after an empty look for work; it doubles up to `pollInterval`. */
const FIRST_POLL_MS = 10
/** How long `close()` waits for running jobs by default. */
const DEFAULT_CLOSE_TIMEOUT_MS = 10_000

export interface CloseOptions {
  /** How long running jobs may take to finish before they are given back. Default `'10 s'`. */
  timeout?: Duration
}

/**
 * Claims jobs and runs the handler on them, at most `concurrency` at once. One `take` script call per
 * step settles the finished job and claims the next; leases are renewed while handlers run; when
 * Redis fails the worker backs off and resumes by itself, reporting once per outage.
 */
export class Worker<T = unknown> {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  readonly #core: QueueCore
  readonly #handler: JobHandler<T>
  readonly #options: ResolvedWorkerOptions
  readonly #running = new Map<string, RunningJob>()
  readonly #sleeper = new Sleeper()
  readonly #backoff = new Backoff(100, 5000)
  readonly #outage: OutageReporter
  readonly #leases: LeaseKeeper
  readonly #settling = new Set<Promise<void>>()
  readonly #onClosed: () => void
  #reserved = 0
  #state: WorkerHealth['state'] = 'running'
  #idleWait = FIRST_POLL_MS
  #cursor = 0
  #lastProgressAt: Date | null = null
  #lastError: Error | null = null
  #processed = 0
  #failed = 0
  readonly #loop: Promise<void>

  constructor(core: QueueCore, handler: JobHandler<T>, options: ResolvedWorkerOptions, onClosed: () => void) {
    this.#core = core
    this.#handler = handler
    this.#options = options
    this.#onClosed = onClosed
    this.#outage = new OutageReporter({ onOutage: (error) => core.options.hooks.error(error) })
    this.#leases = new LeaseKeeper(core, options.lease, this.#running, {
      succeeded: () => this.#progressed(),
      failed: (error) => this.#noteError(error),
      lost: (job) => {
        // While its settle is in flight, the settle's own answer says whether the lease was lost.
        if (!job.settling) this.#lose(job, leaseLost(job.id, 'renewing'))
      },
    })
    this.#loop = this.#run()
  }

  /** Looks for work now (a job was added in this process). */
  wake(): void {
    this.#idleWait = FIRST_POLL_MS
    this.#sleeper.wake()
  }

  health(): WorkerHealth {
    return {
      state: this.#state,
      running: this.#running.size,
      lastProgressAt: this.#lastProgressAt,
      inOutage: this.#outage.inOutage,
      lastError: this.#lastError,
      processed: this.#processed,
      failed: this.#failed,
    }
  }

  #free(): number {
    return Math.max(0, this.#options.concurrency - this.#running.size - this.#reserved)
  }

  #progressed(): void {
    this.#lastProgressAt = new Date()
    this.#backoff.reset()
    this.#outage.succeeded()
  }

  #noteError(error: unknown): void {
    this.#lastError = error instanceof Error ? error : new Error(String(error))
    this.#outage.failed(error)
  }

  async #run(): Promise<void> {
    while (this.#state === 'running') {
      try {
        await this.#step()
      } catch (error) {
        this.#noteError(error)
        await this.#sleeper.sleep(this.#backoff.next())
      }
    }
  }

  /** One round over the shards: claim what fits, then wait for work, a free slot, or a due job. */
  async #step(): Promise<void> {
    const shards = this.#core.keys.shards
    let busy = false
    let nextIn = Number.POSITIVE_INFINITY
    for (let visited = 0; visited < shards.length && this.#free() > 0 && this.#state === 'running'; visited += 1) {
      const shard = shards[this.#cursor % shards.length] as Shard
      this.#cursor += 1
      const reply = await this.#take(shard, this.#free())
      if (reply.claimed.length > 0 || reply.more) busy = true
      if (reply.nextAt >= 0) nextIn = Math.min(nextIn, reply.nextAt - reply.now)
    }
    if (this.#state !== 'running') return
    if (this.#free() === 0) {
      await this.#sleeper.sleep(this.#options.pollInterval)
    } else if (!busy) {
      const wait = Math.min(this.#idleWait, Math.max(0, nextIn))
      this.#idleWait = Math.min(this.#idleWait * 2, this.#options.pollInterval)
      await this.#sleeper.sleep(wait)
    } else {
      this.#idleWait = FIRST_POLL_MS
    }
  }

  /**
   * A `take` with `count` slots reserved for what it claims; starts what it claimed. A settling take
   * (`finished`) takes its job out of `#running` before that, so concurrency holds.
   */
  async #take(
    shard: Shard,
    count: number,
    finished?: { running: RunningJob; settlement: Settlement },
  ): Promise<TakeReply> {
    this.#reserved += count
    let reply: TakeReply
    try {
      reply = await this.#core.take(shard, this.id, this.#options.lease, count, finished?.settlement)
    } finally {
      this.#reserved -= count
    }
    if (finished) this.#running.delete(finished.running.id)
    this.#progressed()
    reportStalled(this.#core, reply.recovered)
    for (const claimed of reply.claimed) this.#start(shard, claimed)
    if (finished) this.#sleeper.wake()
    return reply
  }

  #start(shard: Shard, claimed: ClaimedJob): void {
    const running = new RunningJob(claimed, shard)
    if (this.#state !== 'running') {
      // Claimed while closing: give it straight back.
      running.lost = true
      this.#core.release(shard, [running]).catch((error: unknown) => this.#noteError(error))
      return
    }
    this.#running.set(running.id, running)
    this.#leases.start()
    this.#core.live.emit('active', running.id, running.attempt)
    const progress = async (value: unknown) => {
      await this.#leases.progress(running, value)
      this.#core.live.emit('progress', running.id, running.attempt, { progress: value })
    }
    const settle = runHandler(claimed, running, this.#core.name, this.#handler, progress).then((outcome) =>
      this.#settle(running, outcome),
    )
    this.#settling.add(settle)
    settle.finally(() => this.#settling.delete(settle))
  }

  /** Settles a finished attempt, retrying through outages until Redis answers or the lease is gone. */
  async #settle(running: RunningJob, outcome: Outcome): Promise<void> {
    const settlement: Settlement = {
      id: running.id,
      token: running.token,
      outcome: outcome.outcome,
      value: outcome.value,
    }
    while (!running.lost) {
      try {
        const claim = this.#state === 'running' ? 1 : 0
        running.settling = true
        const reply = await this.#take(running.shard, claim, { running, settlement })
        this.#settled(running, outcome, reply.settled)
        return
      } catch (error) {
        running.settling = false
        this.#noteError(error)
        await new Promise((resolve) => setTimeout(resolve, this.#backoff.next()))
      }
    }
  }

  #settled(running: RunningJob, outcome: Outcome, settled: TakeReply['settled']): void {
    if (settled === 0) {
      this.#lose(running, leaseLost(running.id, 'settling'))
    } else if (settled === 1) {
      this.#processed += 1
      reportCompleted(this.#core, running)
    } else {
      this.#failed += 1
      reportFailed(this.#core, running, outcome, settled === 2)
    }
  }

  /** The job is no longer ours (lease lost, or given back on close): abort it and free its slot. */
  #lose(running: RunningJob, error: QueueError): void {
    if (running.lost) return
    running.lost = true
    running.abort(error)
    if (this.#running.get(running.id) === running) this.#running.delete(running.id)
    if (error.code === 'ERR_LEASE_LOST') reportLeaseLost(this.#core, running)
    this.#sleeper.wake()
  }

  /**
   * Stops claiming, lets running jobs finish within `timeout`, then gives back the ones still
   * running (their signal aborts; they run again elsewhere without losing an attempt).
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#state !== 'running') return this.#loop
    this.#state = 'closing'
    this.#sleeper.wake()
    const deadline =
      Date.now() + reader.duration(options.timeout, 'close timeout', DEFAULT_CLOSE_TIMEOUT_MS, { allowZero: true })
    while (this.#running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        ...this.#settling,
        new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ])
      clearTimeout(timer)
    }
    const left = [...this.#running.values()]
    const byShard = new Map<Shard, RunningJob[]>()
    for (const running of left) {
      this.#lose(running, givenBackOnClose(running.id))
      byShard.set(running.shard, [...(byShard.get(running.shard) ?? []), running])
    }
    await Promise.all(
      [...byShard].map(([shard, jobs]) =>
        this.#core.release(shard, jobs).catch((error: unknown) => this.#noteError(error)),
      ),
    )
    await this.#loop
    this.#leases.stop()
    this.#state = 'closed'
    this.#onClosed()
  }
}
