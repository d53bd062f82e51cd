import { type FollowerOptions, type FollowerSink, LogFollower } from './follower.js'
import type { History } from './history.js'
import type { ChannelKeys } from './keys.js'
import type { LogEntry } from './log-entry.js'

/** Something in this process that reads a channel: an SSE stream's lane or a server-side listener. */
export interface FeedConsumer {
  /** The next event of the channel, in log order. */
  offer(entry: LogEntry): void
  /** The feed skipped from `from` to `tail` (the log lost what was between). */
  jump(from: string, tail: string): void
  /** The feed's position once it knows it: a consumer that starts live starts here. */
  begin(position: string): void
}

export interface FeedHooks {
  failed(error: unknown): void
  succeeded(): void
  reset(channel: string): void
}

/**
 * One channel in one process: a follower of the channel's log fed by the process' one pub/sub
 * subscription, and every consumer of the channel here. Each event is handed to every consumer
 * once, whatever their number; after a reconnect the feed reads the log once for all of them.
 */
export class ChannelFeed implements FollowerSink {
  readonly channel: string
  readonly keys: ChannelKeys
  readonly follower: LogFollower
  readonly #consumers = new Set<FeedConsumer>()
  readonly #hooks: FeedHooks
  readonly #ready: Promise<void>
  #markReady: () => void = () => undefined
  #positioned = false

  constructor(channel: string, keys: ChannelKeys, history: History, hooks: FeedHooks, options: FollowerOptions) {
    this.channel = channel
    this.keys = keys
    this.#hooks = hooks
    this.follower = new LogFollower(history, keys, this, options)
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve
    })
  }

  get size(): number {
    return this.#consumers.size
  }

  /** Resolves once the feed knows its position (its channel is subscribed and the log read). */
  ready(): Promise<void> {
    return this.#ready
  }

  add(consumer: FeedConsumer): void {
    this.#consumers.add(consumer)
    const position = this.follower.position
    if (this.#positioned && position !== undefined) consumer.begin(position)
  }

  /** Removes a consumer; returns how many are left. */
  remove(consumer: FeedConsumer): number {
    this.#consumers.delete(consumer)
    return this.#consumers.size
  }

  close(): void {
    this.follower.close()
    this.#consumers.clear()
  }

  deliver(entry: LogEntry): void {
    for (const consumer of this.#consumers) consumer.offer(entry)
  }

  reset(from: string, tail: string): void {
    this.#hooks.reset(this.channel)
    for (const consumer of this.#consumers) consumer.jump(from, tail)
  }

  synced(): void {
    this.#hooks.succeeded()
    const position = this.follower.position
    if (this.#positioned || position === undefined) return
    this.#positioned = true
    for (const consumer of this.#consumers) consumer.begin(position)
    this.#markReady()
  }

  failed(error: unknown): void {
    this.#hooks.failed(error)
  }

  overflow(): void {
    // The follower reads the log again; nothing is lost.
  }
}
