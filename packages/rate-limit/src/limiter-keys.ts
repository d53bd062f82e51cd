import { hashKeyPart, type KeyGroup, KeyLayout } from '@rediware/redis'
import { BoundedMemo } from './bounded-memo.js'
import type { ResolvedOptions } from './options.js'
import { autoMechanism } from './scripts/index.js'

/** Keys whose groups are remembered (a sha256 per request otherwise). */
const TAG_MEMO_SIZE = 4096

/**
 * Where a counted key's state lives: one key group per counted key (its hash is the group name),
 * holding a key per policy and the concurrency slots, all under one hash tag.
 */
export class LimiterKeys {
  readonly #options: ResolvedOptions
  /** One key group per counted key. */
  readonly #groups: BoundedMemo<KeyGroup>
  /** Per key, the policies' keys; `auto` appends each policy's mechanism (`#suffixes`). */
  readonly #keys: BoundedMemo<readonly string[]>
  readonly #suffixes: readonly string[] | undefined

  constructor(options: ResolvedOptions) {
    this.#options = options
    const version = options.algorithm.replace(/-/g, '')
    this.#suffixes =
      options.algorithm === 'auto' ? options.policies.map((policy) => `:${autoMechanism(policy.limit)}`) : undefined
    const layout = new KeyLayout(options.prefix)
    this.#groups = new BoundedMemo(TAG_MEMO_SIZE, (key) => layout.group(hashKeyPart(key)))
    this.#keys = new BoundedMemo(TAG_MEMO_SIZE, (key) => {
      const group = this.#groups.get(key)
      return options.policies.map(
        (policy, index) => `${group.key('v1', version, policy.name)}${this.#suffixes?.[index] ?? ''}`,
      )
    })
  }

  /**
   * The Redis keys for `key`: one per policy. Shared: do not mutate. With `limits` (a limit per
   * request), `auto` picks each key's mechanism from the request's limit.
   */
  policyKeys(key: string, limits?: readonly number[]): readonly string[] {
    const keys = this.#keys.get(key)
    const suffixes = this.#suffixes
    if (limits === undefined || suffixes === undefined) return keys
    return keys.map(
      (name, index) =>
        `${name.slice(0, name.length - (suffixes[index]?.length ?? 0))}:${autoMechanism(limits[index] ?? 0)}`,
    )
  }

  /** The key of `key`'s in-flight slots (the `concurrency` option). */
  slotsKey(key: string): string {
    return this.#groups.get(key).key('v1', 'concurrency')
  }

  /** Every key that may hold state of `key`, whatever limit it was counted against (for `reset`). */
  allKeys(key: string): string[] {
    const keys = [...this.policyKeys(key)]
    if (this.#suffixes !== undefined) {
      const otherMechanism = this.#options.policies.map((policy) =>
        autoMechanism(policy.limit) === 'log' ? Number.MAX_SAFE_INTEGER : 0,
      )
      keys.push(...this.policyKeys(key, otherMechanism))
    }
    if (this.#options.concurrency !== undefined) keys.push(this.slotsKey(key))
    return keys
  }
}
