import { randomBytes } from 'node:crypto'
import { type Command, commands, type RedisClient, slotSource } from '@rediware/redis'
import type { Keyspace } from './keyspace.js'

/** What a lookup read: the stored text and the current version of every tag asked for. */
export interface Lookup {
  text: string | null
  versions: Record<string, string | null>
}

/**
 * How much longer than the longest-lived entry it guards a counter lives (ms). The counter's TTL is
 * set in the same batch as the entry's PX, so this only absorbs clock differences between Cluster
 * nodes and the time between a fill's seed and its store.
 */
export const COUNTER_MARGIN = 60_000

/** A fresh counter value: a random 48-bit integer, so a re-created counter never returns to an old value. */
const randomVersion = (): string => String(randomBytes(6).readUIntBE(0, 6))

/**
 * Tag versions: one counter per tag (placement: see Keyspace). An entry records the versions read
 * before its fill; invalidation replaces the counters' values, so every entry carrying an older version
 * reads as invalid. A missing counter (never seeded, expired, evicted, FLUSHDB) reads as invalid for
 * every entry, is seeded with a random value by the next fill and never matches an old snapshot.
 * Reads are grouped by hash slot: one MGET per slot, all in one round trip.
 *
 * Counters never outlive what they guard: a seed gets `PX` of the entry's whole lifetime plus
 * `COUNTER_MARGIN`, every store extends it in the store's own batch (`PEXPIRE … GT`, plus
 * `PEXPIRE … NX` for a counter left without TTL by an older version), and invalidation never creates
 * a counter (`SET … XX KEEPTTL`).
 */
export class TagVersions {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: Keyspace,
    private readonly timeout: number | undefined,
  ) {}

  key(tag: string): string {
    return this.keys.counterKey(tag)
  }

  /**
   * The hit path: the stored value at `key` and the versions of `tags`, read together. One MGET when
   * the key and every counter share a slot (always on unsharded backends), otherwise one MGET per
   * slot in one round trip.
   */
  async lookup(key: string, tags: readonly string[]): Promise<Lookup> {
    const [text = null, ...values] = await this.#mget([key, ...tags.map((tag) => this.key(tag))])
    return { text, versions: this.#byTag(tags, values) }
  }

  /** Current versions; missing counters come back as `null`. */
  async read(tags: readonly string[]): Promise<Record<string, string | null>> {
    if (tags.length === 0) return {}
    return this.#byTag(tags, await this.#mget(tags.map((tag) => this.key(tag))))
  }

  /**
   * Versions for a fill snapshot: seeds missing counters (SET NX PX, `lifetime` being the longest
   * physical life of the entry about to be stored) and returns what is stored.
   */
  async snapshot(
    tags: readonly string[],
    lifetime: number,
    known?: Record<string, string | null>,
  ): Promise<Record<string, string>> {
    const current = { ...(known ?? (await this.read(tags))) }
    const missing = tags.filter((tag) => current[tag] === null || current[tag] === undefined)
    if (missing.length > 0) {
      const px = counterTtl(lifetime)
      const seeds = missing.map((tag) => commands.set(this.key(tag), randomVersion(), { nx: true, px }))
      await this.client.batch(seeds, this.#options())
      Object.assign(current, await this.read(missing))
    }
    const snapshot: Record<string, string> = {}
    for (const tag of tags) {
      const version = current[tag]
      if (typeof version !== 'string') throw new Error(`tag version for "${tag}" could not be seeded`)
      snapshot[tag] = version
    }
    return snapshot
  }

  /**
   * Stores a filled value (`SET key text PX px`) and, in the same batch (one round trip), extends the
   * counters of `tags` to outlive it: `PEXPIRE … GT` never shortens a counter another, longer-lived
   * entry relies on, and `PEXPIRE … NX` gives a TTL to a counter that has none. A counter that
   * vanished since the snapshot stays missing (PEXPIRE does not create keys): the entry reads invalid.
   */
  async store(key: string, text: string, px: number, tags: readonly string[]): Promise<void> {
    const ttl = counterTtl(px)
    const extend: Command<boolean>[] = []
    for (const tag of new Set(tags)) {
      const counter = this.key(tag)
      extend.push(commands.pexpire(counter, ttl, { nx: true }), commands.pexpire(counter, ttl, { gt: true }))
    }
    await this.client.batch([commands.set(key, text, { px }), ...extend], this.#options())
  }

  /**
   * Invalidates every tag (one round trip; Cluster groups the commands per slot): each existing counter
   * gets a new random value, keeping its TTL. A missing counter is left missing: missing already reads
   * as invalid, so creating it would only leave a key behind (and a deterministic `INCR` from 0 could
   * recreate a value an in-flight fill snapshotted before the counter expired).
   */
  async bump(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return
    const unique = [...new Set(tags)]
    await this.client.batch(
      unique.map((tag) => commands.set(this.key(tag), randomVersion(), { xx: true, keepTtl: true })),
      this.#options(),
    )
  }

  #byTag(tags: readonly string[], values: readonly (string | null)[]): Record<string, string | null> {
    const result: Record<string, string | null> = {}
    tags.forEach((tag, index) => {
      result[tag] = values[index] ?? null
    })
    return result
  }

  /** MGET across slots: one MGET per hash slot, one command when all keys share one. */
  async #mget(keys: readonly string[]): Promise<(string | null)[]> {
    const groups = new Map<string, number[]>()
    keys.forEach((key, index) => {
      const slot = slotSource(key)
      const group = groups.get(slot)
      if (group === undefined) groups.set(slot, [index])
      else group.push(index)
    })
    if (groups.size <= 1) return this.client.mget(keys, this.#options())
    const indexes = [...groups.values()]
    const replies = await this.client.batch(
      indexes.map((group) => commands.mget(group.map((index) => keys[index] ?? ''))),
      this.#options(),
    )
    const values: (string | null)[] = new Array<string | null>(keys.length).fill(null)
    indexes.forEach((group, groupIndex) => {
      const reply = replies[groupIndex] ?? []
      group.forEach((keyIndex, position) => {
        values[keyIndex] = reply[position] ?? null
      })
    })
    return values
  }

  #options(): { timeout?: number } {
    return this.timeout === undefined ? {} : { timeout: this.timeout }
  }
}

/** The TTL of a counter guarding entries that live at most `lifetime` ms. */
export function counterTtl(lifetime: number): number {
  return Math.ceil(lifetime) + COUNTER_MARGIN
}

/** True when every tag the entry recorded still has the version it recorded. */
export function tagsMatch(
  recorded: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string | null>>,
): boolean {
  for (const [tag, version] of Object.entries(recorded)) {
    if (current[tag] !== version) return false
  }
  return true
}
