import type { IncomingMessage } from 'node:http'
import { describeValue } from '@rediware/redis'
import { newJobId, QueueCore } from './core.js'
import { resolveJobId, resolveJobTemplate, resolveQueueOptions, resolveWorkerOptions, reader } from './options.js'
import type { JobState } from './record.js'
import { ScheduleRunner, type ScheduleHandle } from './scheduler.js'
import { warnIfEvicting } from './server-checks.js'
import type {
  AddedJob,
  Counts,
  JobHandler,
  JobInfo,
  JobOptions,
  QueueOptions,
  Schedule,
  WorkerOptions,
} from './types.js'
import { type CloseOptions, Worker } from './worker.js'
import { type DashboardOptions, dashboard } from './router/dashboard.js'
import type { RequestHandler } from './router/http.js'

function serializeData(data: unknown, where: string): string {
  let json: string | undefined
  try {
    json = JSON.stringify(data)
  } catch (error) {
    throw reader.typeError(
      `${where}: job data must be JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  return json ?? 'null'
}

/** A queue: add jobs, run workers, read and manage jobs, schedule repeatable ones. */
export class Queue<T = unknown> {
  readonly name: string
  /** The realtime channel of this queue's job events (`events`), or undefined without them. */
  readonly eventsChannel: string | undefined
  readonly #core: QueueCore
  readonly #workers = new Set<Worker<T>>()
  readonly #schedules = new Map<string, ScheduleRunner>()

  constructor(options: QueueOptions) {
    const resolved = resolveQueueOptions(options)
    this.#core = new QueueCore(resolved)
    this.name = resolved.name
    this.eventsChannel = resolved.events?.channel
    void warnIfEvicting(resolved.client, resolved.hooks.warnOnce)
  }

  /** Adds a job; with an `id` that exists, returns that job and enqueues nothing. */
  async add(data: T, options?: JobOptions): Promise<AddedJob> {
    const [added] = await this.addBulk([{ data, options }])
    if (!added) throw new Error('unreachable: add returned nothing')
    return added
  }

  /** Adds many jobs in one round trip per shard; results in the same order. */
  async addBulk(jobs: readonly { data: T; options?: JobOptions }[]): Promise<AddedJob[]> {
    if (!Array.isArray(jobs))
      throw reader.typeError(`addBulk takes an array of { data, options }; got ${describeValue(jobs)}.`)
    if (jobs.length === 0) return []
    const defaults = this.#core.options.defaults
    const prepared = jobs.map((job, index) => {
      const where = jobs.length === 1 ? 'add' : `addBulk[${index}]`
      if (typeof job !== 'object' || job === null)
        throw reader.typeError(`${where} must be { data, options }; got ${describeValue(job)}.`)
      return {
        id: resolveJobId(job.options?.id, `${where} options`) ?? newJobId(),
        payload: serializeData(job.data, where),
        template: resolveJobTemplate(job.options, `${where} options`, defaults),
      }
    })
    const outcomes = await this.#core.add(prepared)
    for (const outcome of outcomes) {
      if (outcome.created) this.#core.live.emit(outcome.state === 'delayed' ? 'delayed' : 'waiting', outcome.id, 0)
    }
    if (outcomes.some((outcome) => outcome.created)) this.#core.wakeWorkers()
    const hooks = this.#core.options.hooks
    return outcomes.map((outcome) => {
      if (hooks.listening) hooks.event({ type: 'added', queue: this.name, id: outcome.id, created: outcome.created })
      return { id: outcome.id, created: outcome.created, state: outcome.state as JobState }
    })
  }

  /** Runs `handler` on this queue's jobs. Returns the worker: `close()` it on shutdown. */
  process(handler: JobHandler<T>, options?: WorkerOptions): Worker<T> {
    if (typeof handler !== 'function')
      throw reader.typeError(`process(handler) needs a function (job) => result; got ${describeValue(handler)}.`)
    const resolved = resolveWorkerOptions(options)
    let unregister = () => {}
    const worker: Worker<T> = new Worker<T>(this.#core, handler, resolved, () => {
      unregister()
      this.#workers.delete(worker)
    })
    unregister = this.#core.register(worker)
    this.#workers.add(worker)
    return worker
  }

  getJob(id: string): Promise<JobInfo<T> | null> {
    return this.#core.getJob<T>(resolveJobId(id, 'getJob') ?? '')
  }

  counts(): Promise<Counts> {
    return this.#core.counts()
  }

  /** One page of jobs in a state (without their data; `getJob` has it). */
  list(
    state: JobState,
    options: { offset?: number; limit?: number } = {},
  ): Promise<{ total: number; jobs: JobInfo<T>[] }> {
    const offset = reader.integer(options.offset, 'offset', 0, { min: 0, max: 10_000 })
    const limit = reader.integer(options.limit, 'limit', 20, { min: 1, max: 500 })
    return this.#core.list<T>(
      reader.oneOf(state, 'state', ['waiting', 'delayed', 'active', 'completed', 'failed'] as const, 'waiting'),
      offset,
      limit,
    )
  }

  /** Puts a failed (or completed) job back in waiting with fresh attempts. False when it is not finished or does not exist. */
  retry(id: string): Promise<boolean> {
    return this.#core.retry(resolveJobId(id, 'retry') ?? '')
  }

  /** Deletes a job in any state; a worker running it can no longer settle it. False when it did not exist. */
  remove(id: string): Promise<boolean> {
    return this.#core.remove(resolveJobId(id, 'remove') ?? '')
  }

  /**
   * Adds a job at every tick of `schedule` (`{ cron }` or `{ every }`), once per tick however many
   * processes call `schedule` with the same name. Ticks missed while no process ran are skipped.
   */
  schedule(name: string, schedule: Schedule, data: T, options?: Omit<JobOptions, 'id'>): ScheduleHandle {
    const scheduleName = reader.string(name, 'schedule name', 'digest', { maxLength: 128 })
    if ((options as JobOptions | undefined)?.id !== undefined)
      throw reader.typeError('schedule options cannot set an id: each tick gets its own.')
    const template = {
      ...resolveJobTemplate(options, 'schedule options', this.#core.options.defaults),
      name: scheduleName,
    }
    this.#schedules.get(scheduleName)?.cancel()
    const runner = new ScheduleRunner(this.#core, scheduleName, schedule, serializeData(data, 'schedule'), template)
    this.#schedules.set(scheduleName, runner)
    return runner
  }

  /** Express router: the dashboard page and its JSON API. Refuses every request `authorize` does not allow. */
  router<Req extends IncomingMessage = IncomingMessage>(options: DashboardOptions<Req>): RequestHandler<Req> {
    return dashboard<Req>(this as Queue<unknown>, options, this.#core.live.streamHandler())
  }

  /** Resolves once every job event this process emitted so far was published (or dropped). */
  eventsFlushed(): Promise<void> {
    return this.#core.live.flushed()
  }

  /** Stops this queue's schedules and closes its workers (see `Worker.close`). */
  async close(options?: CloseOptions): Promise<void> {
    for (const runner of this.#schedules.values()) runner.cancel()
    this.#schedules.clear()
    await Promise.all([...this.#workers].map((worker) => worker.close(options)))
  }
}

/** Creates a queue. Without `redis`, jobs live in this process (one warning). */
export function createQueue<T = unknown>(options: QueueOptions): Queue<T> {
  return new Queue<T>(options)
}
