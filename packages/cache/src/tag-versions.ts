import { randomBytes } from 'node:crypto'
import { commands, hashKeyPart, hashTag, type RedisClient } from '@rediware/redis'

/**
 * Tag versions: one counter per tag, all in one hash-tagged slot so a single MGET reads any set of
 * them (Cluster-safe, no SCAN/KEYS). An entry records the versions read before its fill; invalidation
 * INCRs the counters, so every entry carrying an older version reads as invalid. A missing counter
 * (never seeded, evicted, FLUSHDB) is seeded with a random value and never matches an old snapshot.
 */
export class TagVersions {
  readonly #slot: string

  constructor(private readonly client: RedisClient, prefix: string, private readonly timeout: number | undefined) {
    this.#slot = `${prefix}${hashTag(`${prefix}tv`)}:`
  }

  key(tag: string): string {
    return this.#slot + hashKeyPart(tag)
  }

  /** Current versions; missing counters come back as `null`. */
  async read(tags: readonly string[]): Promise<Record<string, string | null>> {
    const result: Record<string, string | null> = {}
    if (tags.length === 0) return result
    const values = await this.client.mget(tags.map((tag) => this.key(tag)), this.#options())
    tags.forEach((tag, index) => {
      result[tag] = values[index] ?? null
    })
    return result
  }

  /** Versions for a fill snapshot: seeds missing counters (SET NX) and returns what is stored. */
  async snapshot(tags: readonly string[], known?: Record<string, string | null>): Promise<Record<string, string>> {
    const current = known ?? (await this.read(tags))
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

  /** Bumps every tag's counter (one round trip; all keys share one slot). */
  async bump(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return
    const unique = [...new Set(tags)]
    await this.client.batch(unique.map((tag) => commands.incr(this.key(tag))), this.#options())
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
