import type { Reply } from '@rediware/redis'
import { defineShardScript, replyRows } from './define.js'

/**
 * list: one page of the jobs in a state, for the dashboard. Waiting jobs come in the order they
 * will run, delayed ones by due time, finished ones newest first.
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: 1 state, 2 offset, 3 count.
 * Returns: { total, then per job: id, record (JSON or '') }.
 */
const lua = `
local sets = { waiting = K_WAIT, delayed = K_DELAYED, active = K_ACTIVE, completed = K_COMPLETED, failed = K_FAILED }
local key = sets[ARGV[1]]
if not key then return { 0 } end
local first, last = tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1
local ids
if ARGV[1] == 'completed' or ARGV[1] == 'failed' then
  ids = redis.call('ZREVRANGE', key, first, last)
else
  ids = redis.call('ZRANGE', key, first, last)
end
local out = { redis.call('ZCARD', key) }
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', K_JOBS, id) or ''
end
return out
`

export interface ListedJob {
  id: string
  record: string
}

export interface ListPage {
  total: number
  jobs: ListedJob[]
}

export const listScript = defineShardScript<ListPage>({
  name: 'queue:list',
  lua,
  local: (shard, args) => {
    const sets: Record<string, string> = {
      waiting: shard.wait,
      delayed: shard.delayed,
      active: shard.active,
      completed: shard.completed,
      failed: shard.failed,
    }
    const state = args[0] ?? ''
    const key = sets[state]
    if (key === undefined) return [0]
    const first = Number(args[1])
    const last = first + Number(args[2]) - 1
    const reverse = state === 'completed' || state === 'failed'
    const ids = shard.call(reverse ? 'ZREVRANGE' : 'ZRANGE', key, first, last)
    const out: Reply[] = [Number(shard.call('ZCARD', key))]
    for (const id of Array.isArray(ids) ? ids.map(String) : []) {
      const record = shard.call('HGET', shard.jobs, id)
      out.push(id, typeof record === 'string' ? record : '')
    }
    return out
  },
  parse: (reply) => {
    const [total, ...pairs] = Array.isArray(reply) ? reply : []
    const jobs = replyRows(pairs, 2).map(([id, record]): ListedJob => ({ id: String(id), record: String(record) }))
    return { total: Number(total ?? 0), jobs }
  },
})
