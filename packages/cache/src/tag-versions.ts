import { randomBytes } from 'node:crypto'
import { commands, type RedisClient } from '@rediware/redis'
import { type Keyspace, slotOf } from './keyspace.js'

/** What a lookup read: the stored text and the current version of every tag asked for. */
export interface Lookup {
  text: string | null
  versions: Record<string, string | null>
}

/**
 * Tag versions: one counter per tag (placement: see Keyspace). An entry records the versions read
 * before its fill; invalidation INCRs the counters, so every entry carrying an older version reads as
 * invalid. A missing counter (never seeded, evicted, FLUSHDB) is seeded with a random value and never
 * matches an old snapshot. Reads are grouped by hash slot: one MGET per slot, all in one round trip.
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

  /** Versions for a fill snapshot: seeds missing counters (SET NX) and returns what is stored. */
  async snapshot(tags: readonly string[], known?: Record<string, string | null>): Promise<Record<string, string>> {
    const current = { ...(known ?? (await this.read(tags))) }
    const missing = tags.filter((tag) => current[tag] === null || current[tag] === undefined)
    if (missing.length > 0) {
      // a random 48-bit integer: INCR still works, and a reset counter never returns to an old value
      const seeds = missing.map((tag) => commands.set(this.key(tag), String(randomBytes(6).readUIntBE(0, 6)), { nx: true }))
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

  /** Bumps every tag's counter (one round trip; Cluster groups the INCRs per slot). */
  async bump(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return
    const unique = [...new Set(tags)]
    await this.client.batch(unique.map((tag) => commands.incr(this.key(tag))), this.#options())
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
      const slot = slotOf(key)
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

/** True when every tag the entry recorded still has the version it recorded. */
export function tagsMatch(recorded: Readonly<Record<string, string>>, current: Readonly<Record<string, string | null>>): boolean {
  for (const [tag, version] of Object.entries(recorded)) {
    if (current[tag] !== version) return false
  }
  return true
}
