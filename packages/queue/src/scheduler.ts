import { Cron } from 'croner'
import type { QueueCore } from './core.js'
import { reader } from './options.js'
import type { JobTemplate } from './record.js'
import { Backoff } from './sleeper.js'
import type { Schedule } from './types.js'

/** setTimeout's longest delay; longer waits are taken in steps. */
const MAX_TIMER_MS = 2_147_483_647

export interface ScheduleHandle {
  readonly name: string
  /** When this process fires the schedule next; null once cancelled or when the cron never matches again. */
  nextRun(): Date | null
  /** Stops firing it from this process (other processes that called `schedule` keep firing it). */
  cancel(): void
}

/** The next tick strictly after `after` (ms). Ticks are the same in every process. */
export type TickSource = (after: number) => number | null

export function tickSource(spec: unknown): TickSource {
  if (typeof spec !== 'object' || spec === null)
    throw reader.typeError("schedule needs { cron: '0 8 * * *' } or { every: '1 h' }.")
  const value = spec as Record<string, unknown>
  if ('every' in value) {
    const every = reader.duration(value.every, 'schedule every', 0)
    if (every < 100) throw reader.rangeError(`schedule every must be at least 100 ms; got ${every} ms.`)
    // Aligned to the epoch, so every process computes the same ticks.
    return (after) => (Math.floor(after / every) + 1) * every
  }
  if (typeof value.cron !== 'string')
    throw reader.typeError("schedule needs { cron: '0 8 * * *' } or { every: '1 h' }.")
  const timezone = value.timezone === undefined ? undefined : reader.string(value.timezone, 'schedule timezone', 'UTC')
  let cron: Cron
  try {
    cron = new Cron(value.cron, { paused: true, ...(timezone ? { timezone } : {}) })
  } catch (error) {
    throw reader.typeError(
      `schedule cron "${value.cron}" is not a cron expression: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  return (after) => cron.nextRun(new Date(after))?.getTime() ?? null
}

/** Fires one schedule from this process at each tick; the `fire` script makes each tick run once overall. */
export class ScheduleRunner implements ScheduleHandle {
  readonly name: string
  readonly #core: QueueCore
  readonly #ticks: TickSource
  readonly #payload: string
  readonly #template: JobTemplate
  readonly #backoff = new Backoff(200, 10_000)
  #timer: NodeJS.Timeout | undefined
  #next: number | null
  #cancelled = false

  constructor(core: QueueCore, name: string, spec: Schedule, payload: string, template: JobTemplate) {
    this.#core = core
    this.name = name
    this.#ticks = tickSource(spec)
    this.#payload = payload
    this.#template = template
    this.#next = this.#ticks(Date.now())
    this.#arm()
  }

  nextRun(): Date | null {
    return this.#cancelled || this.#next === null ? null : new Date(this.#next)
  }

  cancel(): void {
    this.#cancelled = true
    if (this.#timer) clearTimeout(this.#timer)
  }

  #arm(): void {
    if (this.#cancelled || this.#next === null) return
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, this.#next - Date.now()))
    this.#timer = setTimeout(() => void this.#due(), wait)
  }

  async #due(): Promise<void> {
    const tick = this.#next
    if (tick === null || this.#cancelled) return
    if (Date.now() < tick) return this.#arm()
    const following = this.#ticks(tick)
    await this.#fire(tick, following)
    this.#next = following
    this.#arm()
  }

  /** Fires `tick`, retrying through an outage until it succeeds or the following tick is due. */
  async #fire(tick: number, following: number | null): Promise<void> {
    const hooks = this.#core.options.hooks
    const id = `${this.name}@${new Date(tick).toISOString()}`
    while (!this.#cancelled) {
      try {
        const outcome = await this.#core.fire(this.name, tick, id, this.#payload, this.#template)
        this.#backoff.reset()
        this.#core.outage.succeeded()
        hooks.event({
          type: 'fired',
          queue: this.#core.name,
          schedule: this.name,
          id,
          tick: new Date(tick),
          created: outcome.fired,
        })
        if (outcome.fired) {
          this.#core.live.emit('waiting', id, 0)
          this.#core.wakeWorkers()
        }
        return
      } catch (error) {
        this.#core.outage.failed(error)
        const wait = this.#backoff.next()
        if (following !== null && Date.now() + wait >= following) return
        await new Promise((resolve) => {
          this.#timer = setTimeout(resolve, wait)
        })
      }
    }
  }
}
