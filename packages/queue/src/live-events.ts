import type { IncomingMessage, ServerResponse } from 'node:http'
import { OutageReporter } from '@rediware/redis'
import { QueueError } from './errors.js'

/** A handler over Node's request types whose parameters compare both ways, so Express handlers fit. */
export type LiveStreamHandler = {
  handle(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void
}['handle']

/**
 * What the queue needs of a realtime hub; a `Realtime` of @rediware/realtime fits. With `sse`, the
 * dashboard streams the queue's channel at `/api/events`.
 */
export interface LivePublisher {
  publish(channel: string, event: { type: string; data: unknown }): Promise<unknown>
  sse?(options: { channels: readonly string[] }): LiveStreamHandler
}

export interface LiveEventsOptions {
  /** The hub that carries the events: `createRealtime(...)` of @rediware/realtime. */
  realtime: LivePublisher
  /** The channel. Default `'queue:<name>'`. */
  channel?: string
}

/** The event types published: a job's state changes, and its progress. */
export type JobEventType =
  | 'waiting'
  | 'delayed'
  | 'active'
  | 'progress'
  | 'completed'
  | 'failed'
  | 'stalled'
  | 'removed'

/** The `data` of every published event. */
export interface JobEventData {
  queue: string
  id: string
  /** The attempt it is about (0 before the first): with the type, it orders events from different processes. */
  attempt: number
  progress?: unknown
  error?: string
  /** On `failed` and `stalled`: whether the job goes back to waiting for another attempt. */
  willRetry?: boolean
}

/** Events queued while the hub is slow or down; past this, new ones are dropped (and reported). */
const MAX_PENDING = 1000
/** Longest wait for one publish before the lane moves on. */
const PUBLISH_DEADLINE_MS = 5000

/**
 * Publishes job events in the order this process emits them, one at a time, never blocking a worker
 * or an `add`: a failing or slow hub drops events and reports once per outage.
 */
export class LiveEvents {
  readonly channel: string | undefined
  readonly #realtime: LivePublisher | undefined
  readonly #queue: string
  readonly #outage: OutageReporter
  #tail: Promise<void> = Promise.resolve()
  #pending = 0

  constructor(
    queue: string,
    options: { realtime: LivePublisher; channel: string } | undefined,
    onOutage: (error: Error) => void,
  ) {
    this.#queue = queue
    this.#realtime = options?.realtime
    this.channel = options?.channel
    this.#outage = new OutageReporter({ onOutage })
  }

  get enabled(): boolean {
    return this.#realtime !== undefined
  }

  /** The hub's stream handler for this channel, when the hub has one. */
  streamHandler(): LiveStreamHandler | undefined {
    const realtime = this.#realtime
    if (!realtime?.sse || this.channel === undefined) return undefined
    return realtime.sse({ channels: [this.channel] })
  }

  emit(type: JobEventType, id: string, attempt: number, extra?: Omit<JobEventData, 'queue' | 'id' | 'attempt'>): void {
    const realtime = this.#realtime
    const channel = this.channel
    if (!realtime || channel === undefined) return
    if (this.#pending >= MAX_PENDING) {
      this.#failed(new Error(`more than ${MAX_PENDING} events wait for the hub`))
      return
    }
    this.#pending += 1
    const data: JobEventData = { queue: this.#queue, id, attempt, ...extra }
    this.#tail = this.#tail.then(async () => {
      let timer: NodeJS.Timeout | undefined
      try {
        await Promise.race([
          Promise.resolve().then(() => realtime.publish(channel, { type, data })),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer in ${PUBLISH_DEADLINE_MS} ms`)), PUBLISH_DEADLINE_MS)
          }),
        ])
        this.#outage.succeeded()
      } catch (error) {
        this.#failed(error)
      } finally {
        clearTimeout(timer)
        this.#pending -= 1
      }
    })
  }

  /** Resolves once every event emitted so far was published or dropped. */
  flushed(): Promise<void> {
    return this.#tail
  }

  #failed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error)
    this.#outage.failed(
      new QueueError(
        'ERR_EVENTS_UNAVAILABLE',
        `@rediware/queue: job events of queue "${this.#queue}" are not being published (${reason}); jobs run on, events are dropped until the hub answers.`,
        { cause: error },
      ),
    )
  }
}
