import { compareIds, ORIGIN } from './event-id.js'
import type { History } from './history.js'
import type { ChannelKeys } from './keys.js'
import type { LogEntry } from './log-entry.js'

/** Where a follower hands what it reads. */
export interface FollowerSink {
  /** The next event, in log order, never twice. */
  deliver(entry: LogEntry): void
  /** Events between the old position and `tail` are gone from the log; the position is `tail` now. */
  reset(from: string, tail: string): void
  /** A read of the log failed; it is retried with backoff. */
  failed(error: unknown): void
  /** The follower is caught up with the log (after its first read, and after each catch-up). */
  synced(): void
  /** More events waited than `maxQueue` while a read ran. */
  overflow(): void
}

export interface FollowerOptions {
  /** Events kept while a read runs. */
  maxQueue: number
  /** Entries per XRANGE. */
  pageSize: number
}

const retryDelay = (attempt: number): number => Math.min(5000, 100 * 2 ** Math.min(attempt, 6))

/**
 * Follows one channel's log from a position, on two inputs: live events offered in order (from
 * pub/sub or from the process' feed) and reads of the log (`sync`). A live event is delivered when
 * it is the next one (its `prev` is our position); anything else means we missed something, so we
 * read the log from our position, keeping live events in a queue meanwhile, and deliver them after.
 * Positions only grow: nothing is delivered twice, nothing is skipped without a `reset`.
 *
 * An event whose `prev` is ORIGIN starts a new log (the old one expired): a follower that saw every
 * event live takes it as the next one. After a disconnect, reads decide (see `History`).
 */
export class LogFollower {
  /** The id of the last event delivered (undefined until the first read or `begin`). */
  position: string | undefined
  readonly #history: History
  readonly #keys: ChannelKeys
  readonly #sink: FollowerSink
  readonly #options: FollowerOptions
  #queue: LogEntry[] = []
  #syncing = false
  #again = false
  #closed = false
  #attempt = 0
  #retryTimer: NodeJS.Timeout | undefined

  constructor(history: History, keys: ChannelKeys, sink: FollowerSink, options: FollowerOptions) {
    this.#history = history
    this.#keys = keys
    this.#sink = sink
    this.#options = options
  }

  get syncing(): boolean {
    return this.#syncing
  }

  /** Starts at `position` without reading (it is where the source of live events stands). */
  begin(position: string): void {
    if (this.position !== undefined || this.#closed) return
    this.position = position
    if (!this.#syncing) this.#drain()
  }

  /** A live event. */
  offer(entry: LogEntry): void {
    if (this.#closed) return
    if (this.position === undefined || this.#syncing) {
      this.#enqueue(entry)
      return
    }
    // The usual case first: the next event (ids only grow, so it is newer than the position).
    if (entry.prev === this.position) {
      this.#deliver(entry)
      return
    }
    if (compareIds(entry.id, this.position) <= 0) return
    if (entry.prev === ORIGIN) this.#deliver(entry)
    else {
      this.#enqueue(entry)
      this.sync()
    }
  }

  /**
   * Moves to `tail` after a gap the source of live events reported (`tail` may be ORIGIN, below the
   * position, when the log is gone).
   */
  jump(from: string, tail: string): void {
    if (this.#closed || this.position === undefined) return
    if (this.#syncing) this.#again = true
    else {
      this.position = tail
      this.#sink.reset(from, tail)
    }
  }

  /** Reads the log from the position (the newest id when there is none yet) until caught up. */
  sync(): void {
    if (this.#closed) return
    if (this.#syncing) {
      this.#again = true
      return
    }
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
    this.#syncing = true
    void this.#run()
  }

  close(): void {
    this.#closed = true
    this.#queue = []
    clearTimeout(this.#retryTimer)
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false
        if (this.position === undefined) {
          const tail = await this.#history.tail(this.#keys)
          // `begin` may have placed us meanwhile (the live source knew first): keep that.
          this.position ??= tail
        } else await this.#catchUp()
        if (this.#closed) return
        this.#drain()
      } while (this.#again && !this.#closed)
      this.#attempt = 0
      this.#syncing = false
      this.#sink.synced()
    } catch (error) {
      this.#syncing = false
      if (this.#closed) return
      this.#sink.failed(error)
      this.#attempt += 1
      this.#retryTimer = setTimeout(() => this.sync(), retryDelay(this.#attempt))
      this.#retryTimer.unref()
    }
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const from = this.position as string
      const page = await this.#history.after(this.#keys, from, this.#options.pageSize)
      if (this.#closed) return
      if (page.gap) {
        const tail = await this.#history.tail(this.#keys)
        if (this.#closed) return
        this.position = tail
        this.#sink.reset(from, tail)
        return
      }
      for (const entry of page.entries) this.#deliver(entry)
      if (page.complete) return
    }
  }

  /** Delivers the queued live events that follow the position; a hole means reading again. */
  #drain(): void {
    const queued = this.#queue
    this.#queue = []
    for (const entry of queued) {
      const position = this.position as string
      if (compareIds(entry.id, position) <= 0) continue
      if (entry.prev === position || entry.prev === ORIGIN) this.#deliver(entry)
      else {
        this.#again = true
        if (!this.#syncing) this.sync()
        return
      }
    }
  }

  #deliver(entry: LogEntry): void {
    this.position = entry.id
    this.#sink.deliver(entry)
  }

  #enqueue(entry: LogEntry): void {
    if (this.#queue.length < this.#options.maxQueue) {
      this.#queue.push(entry)
      return
    }
    // The log holds them: drop the queue and read again once the current read is done.
    this.#queue = []
    this.#again = true
    this.#sink.overflow()
  }
}
