import { KeyLayout } from '@rediware/redis'

/**
 * The keys of one queue shard, in the order every script takes them as KEYS. All of them share the
 * shard's `{hash tag}`, so one script call touches one Cluster slot.
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `wait` | sorted set | waiting job ids, scored `priority × 2³² + sequence` (lowest first) |
 * | `delayed` | sorted set | delayed and backing-off job ids, scored by the time they are due (ms) |
 * | `active` | sorted set | running job ids, scored by the time their lease expires (ms) |
 * | `completed` | sorted set | completed job ids, scored by the time they finished (ms) |
 * | `failed` | sorted set | failed job ids, scored by the time they failed (ms) |
 * | `jobs` | hash | job id → the job's record (JSON: state, attempts, options, lease token, result, error) |
 * | `data` | hash | job id → the job's data (JSON, as the app passed it) |
 * | `seq` | string | counter for the waiting order and the lease (fencing) tokens |
 * | `fired` | hash | schedule name → the last tick fired through this shard |
 */
export const shardKeyNames = [
  'wait',
  'delayed',
  'active',
  'completed',
  'failed',
  'jobs',
  'data',
  'seq',
  'fired',
] as const

export type ShardKeyName = (typeof shardKeyNames)[number]

/** The finished states kept for a bounded time and count. */
export type FinishedState = 'completed' | 'failed'

export interface Shard {
  readonly index: number
  /** The keys in `shardKeyNames` order. */
  readonly keys: readonly string[]
  key(name: ShardKeyName): string
}

/** A queue name: letters, digits, `-` and `_` (so shard tags `{name.N}` can never collide with another queue's). */
export const queueNamePattern = /^[A-Za-z0-9_-]{1,64}$/

/** 32-bit FNV-1a: a stable, fast spread of job ids over shards (not a security boundary). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Where one queue's keys live: `<prefix>{<name>}:<key>`, or `<prefix>{<name>.<n>}:<key>` per shard. */
export class QueueKeys {
  readonly shards: readonly Shard[]

  constructor(prefix: string, name: string, shardCount: number) {
    const layout = new KeyLayout(prefix)
    this.shards = Array.from({ length: shardCount }, (_, index) => {
      const group = layout.group(shardCount === 1 ? name : `${name}.${index}`)
      const keys = shardKeyNames.map((key) => group.key(key))
      return { index, keys, key: (key: ShardKeyName) => keys[shardKeyNames.indexOf(key)] ?? '' }
    })
  }

  /** The shard a job id lives on: the same for every process, so `id` deduplicates across them. */
  shardOf(id: string): Shard {
    const count = this.shards.length
    const shard = this.shards[count === 1 ? 0 : fnv1a(id) % count]
    if (!shard) throw new Error('unreachable: no shard')
    return shard
  }
}
