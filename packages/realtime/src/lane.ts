import type { ChannelFeed, FeedConsumer } from './channel-feed.js'
import { compareIds } from './event-id.js'
import { type FollowerOptions, type FollowerSink, LogFollower } from './follower.js'
import type { History } from './history.js'
import type { Hub } from './hub.js'
import type { RealtimeKeys } from './keys.js'
import type { LogEntry } from './log-entry.js'

/** What a lane asks of its stream. */
export interface LaneOwner {
  event(lane: Lane, entry: LogEntry): void
  reset(lane: Lane): void
  /** The lane knows its position now (a live start): the stream tells the browser. */
  positioned(lane: Lane): void
  failed(error: unknown): void
  overflow(): void
}

/** How a lane starts: live from the process' position, resuming from an id, or with a reset. */
export type LaneStart = { live: true } | { resume: string } | { reset: true }

/**
 * One channel of one SSE stream. Live, it takes the process feed's events (a buffer write each);
 * resuming from a Last-Event-ID, it first reads the log from there itself, keeping the feed's events
 * meanwhile, then goes live.
 */
export class Lane implements FeedConsumer, FollowerSink {
  readonly channel: string
  readonly tag: string
  readonly #owner: LaneOwner
  readonly #follower: LogFollower
  #feed: ChannelFeed | undefined
  #resetOnBegin = false
  /** A resumed lane starts from the client's own position: nothing to announce. */
  #announced = false

  constructor(
    channel: string,
    tag: string,
    owner: LaneOwner,
    history: History,
    keys: RealtimeKeys,
    options: FollowerOptions,
  ) {
    this.channel = channel
    this.tag = tag
    this.#owner = owner
    this.#follower = new LogFollower(history, keys.of(channel), this, options)
  }

  get position(): string | undefined {
    return this.#follower.position
  }

  attach(hub: Hub, start: LaneStart): void {
    if ('resume' in start) {
      this.#follower.position = start.resume
      this.#announced = true
    }
    this.#resetOnBegin = 'reset' in start
    this.#feed = hub.attach(this.channel, this)
    if ('resume' in start) this.#follower.sync()
  }

  detach(hub: Hub): void {
    this.#follower.close()
    if (this.#feed) hub.detach(this.#feed, this)
    this.#feed = undefined
  }

  // The process feed's side.
  offer(entry: LogEntry): void {
    this.#follower.offer(entry)
  }

  jump(from: string, tail: string): void {
    if (this.#follower.position === from) this.#follower.jump(from, tail)
    else this.#follower.sync()
  }

  begin(position: string): void {
    const own = this.#follower.position
    if (own === undefined) {
      this.#follower.begin(position)
      this.#announce()
    } else if (compareIds(position, own) > 0) {
      // The lane read the log before the feed knew where it stood; what came between is only in the log.
      this.#follower.sync()
    }
  }

  /** Tells the stream where this lane starts, once: a position, or a reset for a resume it cannot honour. */
  #announce(): void {
    if (this.#announced) return
    this.#announced = true
    if (this.#resetOnBegin) this.#owner.reset(this)
    else this.#owner.positioned(this)
  }

  // The follower's side.
  deliver(entry: LogEntry): void {
    this.#owner.event(this, entry)
  }

  reset(): void {
    this.#owner.reset(this)
  }

  failed(error: unknown): void {
    this.#owner.failed(error)
  }

  synced(): void {
    this.#announce()
  }

  overflow(): void {
    this.#owner.overflow()
  }
}
