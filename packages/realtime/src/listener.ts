import type { FeedConsumer } from './channel-feed.js'
import { compareIds } from './event-id.js'
import type { LogEntry } from './log-entry.js'

/** An event as server-side listeners (`rt.subscribe`) receive it. */
export interface RealtimeEvent<T = unknown> {
  channel: string
  /** The event id (the channel log's id), as `publish` returned it. */
  id: string
  /** The published type, or `'reset'` when the log lost events this listener did not receive. */
  type: string
  /** The published data (parsed once per process and shared: do not mutate it); `{ reason }` for a reset. */
  data: T
}

export type RealtimeListener = (event: RealtimeEvent) => void

/**
 * A server-side listener of one channel: starts at the process feed's position and receives every
 * event after it in order, and a `reset` event when the feed skipped some (an outage longer than
 * the history). Exceptions go to `failed`, never to the other consumers.
 */
export class ListenerConsumer implements FeedConsumer {
  readonly #channel: string
  readonly #listener: RealtimeListener
  readonly #failed: (error: Error) => void
  #position: string | undefined

  constructor(channel: string, listener: RealtimeListener, failed: (error: Error) => void) {
    this.#channel = channel
    this.#listener = listener
    this.#failed = failed
  }

  begin(position: string): void {
    this.#position ??= position
  }

  offer(entry: LogEntry): void {
    if (this.#position === undefined || compareIds(entry.id, this.#position) <= 0) return
    this.#position = entry.id
    this.#call(() => ({ channel: this.#channel, id: entry.id, type: entry.type, data: entry.parsed() }))
  }

  jump(_from: string, tail: string): void {
    if (this.#position === undefined) return
    this.#position = tail
    this.#call(() => ({ channel: this.#channel, id: tail, type: 'reset', data: { reason: 'history' } }))
  }

  #call(build: () => RealtimeEvent): void {
    try {
      this.#listener(build())
    } catch (error) {
      this.#failed(error instanceof Error ? error : new Error(String(error)))
    }
  }
}
