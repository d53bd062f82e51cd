import { hashKeyPart, hashTag, KeyLayout, type RedisClient } from '@rediware/redis'

/** Whether keys are spread over hash slots (Redis Cluster). */
const isSharded = (client: RedisClient): boolean => client.capabilities.shardedKeys

/**
 * Where every key lives. The rule: a hit reads its entry and every version counter it must check in
 * as few commands as possible, and one command may only touch one hash slot (Cluster).
 *
 * - Unsharded backends (ioredis `Redis`, Upstash, memory): all keys of a prefix share ONE hash tag,
 *   `{<prefix>tv}`. Slots do not place data there, so this costs nothing, and a hit is always ONE
 *   `MGET` (entry + all its tag counters), whatever the number of tags.
 * - Cluster: an entry's home slot is its path (`{<prefix>p:<hash(path)>}`), shared with the path's
 *   version counter, so entries spread over the cluster and a hit on a route without custom tags is
 *   ONE `MGET`. Custom tag counters live in the tag slot `{<prefix>tv}`: a hit on a route with
 *   custom tags adds one `MGET` there, sent in the same round trip. `getOrSet` values likewise live
 *   with their key's counter (`{<prefix>k:<hash(key)>}`).
 *
 * Tags named `p:<path>` and `k:<key>` are the implicit path and helper-key tags.
 *
 * Every home is a hash tag that includes the prefix, so two prefixes never share a slot (hence
 * `hashTag` here rather than `KeyLayout.group`, whose hash tag leaves the prefix out). Keys outside
 * any home (locks) are `KeyLayout` keys.
 */
export class Keyspace {
  readonly sharded: boolean
  readonly #prefix: string
  readonly #tagSlot: string
  readonly #layout: KeyLayout

  constructor(prefix: string, client: RedisClient) {
    this.#prefix = prefix
    this.sharded = isSharded(client)
    this.#tagSlot = hashTag(`${prefix}tv`)
    this.#layout = new KeyLayout(prefix)
  }

  #pathHome(path: string): string {
    return this.sharded ? hashTag(`${this.#prefix}p:${hashKeyPart(path)}`) : this.#tagSlot
  }

  #keyHome(key: string): string {
    return this.sharded ? hashTag(`${this.#prefix}k:${hashKeyPart(key)}`) : this.#tagSlot
  }

  /** The version counter of a tag (TTL: see TagVersions). Every counter key starts with `<prefix>{`. */
  counterKey(tag: string): string {
    if (this.sharded && tag.startsWith('p:')) return `${this.#prefix}${this.#pathHome(tag.slice(2))}:v`
    if (this.sharded && tag.startsWith('k:')) return `${this.#prefix}${this.#keyHome(tag.slice(2))}:v`
    return `${this.#prefix}${this.#tagSlot}:${hashKeyPart(tag)}`
  }

  /** A route entry, in its path's home slot. */
  entryKey(hash: string, path: string): string {
    return `${this.#prefix}e:${this.#pathHome(path)}:${hash}`
  }

  /** A `getOrSet` value, in its key's home slot. */
  valueKey(key: string): string {
    return `${this.#prefix}d:${this.#keyHome(key)}:${hashKeyPart(key)}`
  }

  /** The refresh lock of one stale entry (`storedAt` tells it from the entry that replaces it). */
  refreshKey(hash: string, storedAt: number): string {
    return this.#layout.key('r', hash, storedAt)
  }

  /** The distributed fill lock of an entry. */
  lockKey(hash: string): string {
    return this.#layout.key('l', hash)
  }
}
