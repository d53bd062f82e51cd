import { PubSubBus } from './pubsub-bus.js'
import type { StreamId } from './stream-id.js'

export type StoredValue =
  | { type: 'string'; value: Buffer }
  | { type: 'hash'; value: Map<string, Buffer> }
  | { type: 'zset'; value: Map<string, number> }
  | { type: 'set'; value: Set<string> }
  | { type: 'stream'; value: MemoryStream }

/** One stream entry: its id and its field/value pairs in order. */
export interface MemoryStreamEntry {
  readonly id: StreamId
  readonly fields: readonly Buffer[]
}

/** A stream: entries in id order and the last id ever generated (kept when entries are trimmed). */
export interface MemoryStream {
  entries: MemoryStreamEntry[]
  lastId: StreamId
}

interface Entry {
  data: StoredValue
  /** Unix ms, or undefined for no expiry. */
  expiresAt: number | undefined
}

/**
 * The memory backend's data: values with millisecond expiry, expired lazily on access and swept a
 * few keys per write (as Redis does), so memory stays bounded without any timer.
 */
export class Keyspace {
  /** PUBLISH/SPUBLISH and the memory client's subscribers meet here. */
  readonly pubsub = new PubSubBus()
  readonly #entries = new Map<string, Entry>()
  readonly #clock: () => number
  #sweep: Iterator<string> | undefined

  constructor(clock: () => number = Date.now) {
    this.#clock = clock
  }

  now(): number {
    return this.#clock()
  }

  get(key: string): StoredValue | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#clock()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.data
  }

  /** Stores a value; `expiresAt: 'keep'` keeps the key's current expiry. */
  put(key: string, data: StoredValue, expiresAt: number | undefined | 'keep' = undefined): void {
    const previous = expiresAt === 'keep' ? this.expiresAt(key) : expiresAt
    this.#entries.set(key, { data, expiresAt: previous })
    this.#sweepSome()
  }

  delete(key: string): boolean {
    const existed = this.get(key) !== undefined
    this.#entries.delete(key)
    return existed
  }

  expiresAt(key: string): number | undefined {
    return this.get(key) === undefined ? undefined : this.#entries.get(key)?.expiresAt
  }

  setExpiry(key: string, expiresAt: number | undefined): boolean {
    const entry = this.#entries.get(key)
    if (!entry || this.get(key) === undefined) return false
    if (expiresAt !== undefined && expiresAt <= this.#clock()) {
      this.#entries.delete(key)
      return true
    }
    entry.expiresAt = expiresAt
    return true
  }

  /** Drops an empty hash, sorted set or set, as Redis does (an empty stream stays). */
  dropIfEmpty(key: string): void {
    const data = this.get(key)
    if (data && data.type !== 'string' && data.type !== 'stream' && data.value.size === 0) this.#entries.delete(key)
  }

  *keys(): Iterable<string> {
    for (const key of [...this.#entries.keys()]) {
      if (this.get(key) !== undefined) yield key
    }
    // A live Map iterator keeps the Map's old, larger hash table alive after the deletes above
    // shrank it; this full pass has swept everything anyway.
    this.#sweep = undefined
  }

  get size(): number {
    return this.#entries.size
  }

  #sweepSome(): void {
    const now = this.#clock()
    for (let checked = 0; checked < 3; checked += 1) {
      this.#sweep ??= this.#entries.keys()
      const next = this.#sweep.next()
      if (next.done) {
        this.#sweep = undefined
        return
      }
      const entry = this.#entries.get(next.value)
      if (entry?.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(next.value)
    }
  }
}
