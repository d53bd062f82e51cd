import { defineScript, type Reply, type Script } from '@rediware/redis'
import { shardKeyNames } from '../keys.js'
import { LocalShard } from './shard-local.js'
import { shardLua } from './shard-lua.js'

export interface ShardScript<T> {
  name: string
  /** The Lua after the shared preamble (`shard-lua.ts`). */
  lua: string
  /** The same in TypeScript over the memory keyspace, with the shard's twin of the preamble. */
  local: (shard: LocalShard, args: readonly string[]) => Reply
  parse: (reply: Reply) => T
}

/** A queue script: it takes the shard's keys (`shardKeyNames`) and starts from the shared preamble. */
export function defineShardScript<T>(definition: ShardScript<T>): Script<T> {
  return defineScript<T>({
    name: definition.name,
    keys: shardKeyNames.length,
    lua: `${shardLua}\n${definition.lua}`,
    local: (redis, keys, args) => definition.local(new LocalShard(redis, keys), args),
    parse: definition.parse,
  })
}

/**
 * A script's flat list reply (`[a1, b1, a2, b2, …]`) as rows of `width` items; a short last row is
 * dropped, and a reply that is not a list reads as no rows.
 */
export function replyRows(reply: Reply | undefined, width: number): Reply[][] {
  const items = Array.isArray(reply) ? reply : []
  const rows: Reply[][] = []
  for (let index = 0; index + width <= items.length; index += width) rows.push(items.slice(index, index + width))
  return rows
}
