import type { RedisClient, Subscription } from '@rediware/redis'
import { ChannelFeed, type FeedConsumer, type FeedHooks } from './channel-feed.js'
import type { FollowerOptions } from './follower.js'
import type { History } from './history.js'
import type { RealtimeKeys } from './keys.js'
import { LogEntry } from './log-entry.js'

/**
 * The process' one pub/sub subscription and its channel feeds. A channel is subscribed while
 * something in this process reads it, and left when the last reader goes; every (re)subscription
 * makes its feed read the log from where it stands, so a reconnect misses nothing the log still has.
 */
export class Hub {
  readonly #client: RedisClient
  readonly #keys: RealtimeKeys
  readonly #history: History
  readonly #hooks: FeedHooks & { lost(error: Error): void }
  readonly #options: FollowerOptions
  readonly #feeds = new Map<string, ChannelFeed>()
  #subscription: Subscription | undefined

  constructor(
    client: RedisClient,
    keys: RealtimeKeys,
    history: History,
    hooks: FeedHooks & { lost(error: Error): void },
    options: FollowerOptions,
  ) {
    this.#client = client
    this.#keys = keys
    this.#history = history
    this.#hooks = hooks
    this.#options = options
  }

  /** Channels read in this process. */
  get size(): number {
    return this.#feeds.size
  }

  attach(channel: string, consumer: FeedConsumer): ChannelFeed {
    const keys = this.#keys.of(channel)
    let feed = this.#feeds.get(keys.live)
    if (!feed) {
      feed = new ChannelFeed(channel, keys, this.#history, this.#hooks, this.#options)
      this.#feeds.set(keys.live, feed)
      this.#subscription ??= this.#client.subscribe([], this.#onMessage, {
        onSubscribe: this.#onSubscribe,
        onError: (error) => this.#hooks.lost(error),
      })
      this.#subscription.add(keys.live)
      // Read where the log ends now, before the subscription is confirmed: readers start from the
      // moment they asked; the confirmation then makes the feed read what came meanwhile.
      feed.follower.sync()
    }
    feed.add(consumer)
    return feed
  }

  detach(feed: ChannelFeed, consumer: FeedConsumer): void {
    if (feed.remove(consumer) > 0 || this.#feeds.get(feed.keys.live) !== feed) return
    feed.close()
    this.#feeds.delete(feed.keys.live)
    this.#subscription?.remove(feed.keys.live)
  }

  async close(): Promise<void> {
    for (const feed of this.#feeds.values()) feed.close()
    this.#feeds.clear()
    const subscription = this.#subscription
    this.#subscription = undefined
    await subscription?.close()
  }

  readonly #onMessage = (message: string, live: string): void => {
    const feed = this.#feeds.get(live)
    const entry = feed && LogEntry.fromMessage(message)
    if (entry) feed.follower.offer(entry)
  }

  readonly #onSubscribe = (lives: readonly string[]): void => {
    for (const live of lives) this.#feeds.get(live)?.follower.sync()
  }
}
