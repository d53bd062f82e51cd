import type { Entry } from './envelope.js'
import type { Versions } from './flights.js'

/** An event on the invalidation channel, as a `Realtime` listener receives it. */
export interface InvalidationMessage {
  type: string
  data: unknown
}

/**
 * The part of `@rediware/realtime`'s `Realtime` the local tier uses, so the cache needs no dependency
 * on that package: pass `createRealtime({ redis })` (any object with these two methods works).
 */
export interface InvalidationBus {
  publish(channel: string, event: { type: string; data: unknown }): Promise<string>
  subscribe(
    channel: string,
    listener: (event: InvalidationMessage) => void,
  ): { (): void; readonly ready: Promise<void> }
}

/** What the local tier keeps of one route entry: the entry as read and the tag versions read with it. */
interface LocalEntry {
  entry: Entry
  versions: Versions
  tags: readonly string[]
  /** Unix ms after which the entry is read from Redis again, whatever its freshness. */
  trustedUntil: number
}

export interface LocalTierSettings {
  maxEntries: number
  /** ms a local entry is served without asking Redis, at most (the bound when an announcement is lost). */
  maxAge: number
  bus: InvalidationBus
  channel: string
  now: () => number
  failed: (error: unknown) => void
}

/**
 * The in-process tier: fresh route entries by entry key, least recently used first out. Coherent
 * across processes through announcements on a realtime channel: whoever invalidates bumps the tag
 * versions in Redis first, then announces the tags; every process drops the entries carrying them.
 *
 * Two races are closed here. A lookup that read Redis before an invalidation and returns after its
 * announcement would store an entry the announcement should have dropped: each announcement moves an
 * epoch, and a lookup stores only when the epoch it started in is still current. And a process that
 * is not yet subscribed could miss announcements: nothing is served or stored until the subscription
 * is ready. When the channel's history was lost (an outage longer than it), the whole tier is dropped.
 */
export class LocalTier {
  readonly #entries = new Map<string, LocalEntry>()
  readonly #settings: LocalTierSettings
  readonly #unsubscribe: () => void
  #epoch = 0
  #ready = false

  constructor(settings: LocalTierSettings) {
    this.#settings = settings
    const stop = settings.bus.subscribe(settings.channel, (message) => this.#receive(message))
    this.#unsubscribe = stop
    stop.ready.then(
      () => {
        this.#ready = true
      },
      (error: unknown) => settings.failed(error),
    )
  }

  /** The epoch a lookup starts in; pass it to `store`. */
  get epoch(): number {
    return this.#epoch
  }

  get size(): number {
    return this.#entries.size
  }

  /** The entry stored under `key`, while it may be trusted without Redis. */
  get(key: string): { entry: Entry; versions: Versions } | undefined {
    if (!this.#ready) return undefined
    const local = this.#entries.get(key)
    if (local === undefined) return undefined
    if (this.#settings.now() >= local.trustedUntil) {
      this.#entries.delete(key)
      return undefined
    }
    this.#entries.delete(key)
    this.#entries.set(key, local)
    return local
  }

  /** Keeps an entry read from Redis in a lookup that started in `epoch`, unless an announcement came since. */
  store(key: string, entry: Entry, versions: Versions, tags: readonly string[], epoch: number): void {
    if (!this.#ready || epoch !== this.#epoch) return
    const trustedUntil = Math.min(entry.freshUntil, this.#settings.now() + this.#settings.maxAge)
    this.#entries.delete(key)
    this.#entries.set(key, { entry, versions, tags, trustedUntil })
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#settings.maxEntries) break
      this.#entries.delete(oldest)
    }
  }

  /**
   * Call after the tags' versions were bumped in Redis: drops this process's entries at once, then
   * announces the tags to the others. Rejects when the announcement could not be published.
   */
  async invalidated(tags: readonly string[]): Promise<void> {
    this.#drop(tags)
    await this.#settings.bus.publish(this.#settings.channel, { type: 'invalidate', data: { tags } })
  }

  close(): void {
    this.#ready = false
    this.#entries.clear()
    this.#unsubscribe()
  }

  #receive(message: InvalidationMessage): void {
    if (message.type === 'invalidate') {
      const tags = (message.data as { tags?: unknown } | null)?.tags
      if (Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')) {
        this.#drop(tags)
        return
      }
    }
    // a reset (announcements were lost) or anything unreadable: nothing local can be trusted
    this.#epoch += 1
    this.#entries.clear()
  }

  #drop(tags: readonly string[]): void {
    this.#epoch += 1
    if (tags.length === 0) return
    const gone = new Set(tags)
    for (const [key, local] of this.#entries) {
      if (local.tags.some((tag) => gone.has(tag))) this.#entries.delete(key)
    }
  }
}
