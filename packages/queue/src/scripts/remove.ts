import { defineShardScript } from './define.js'

/**
 * remove: deletes a job in any state. A worker running it can no longer settle it (its lease
 * check fails), so a removed job never comes back.
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: 1 job id.
 * Returns: 1 removed, 0 no such job.
 */
const lua = `
local id = ARGV[1]
local existed = redis.call('HEXISTS', K_JOBS, id)
for _, key in ipairs({ K_WAIT, K_DELAYED, K_ACTIVE, K_COMPLETED, K_FAILED }) do redis.call('ZREM', key, id) end
drop(id)
return existed
`

export const removeScript = defineShardScript<boolean>({
  name: 'queue:remove',
  lua,
  local: (shard, args) => {
    const id = args[0] ?? ''
    const existed = Number(shard.call('HEXISTS', shard.jobs, id))
    for (const key of [shard.wait, shard.delayed, shard.active, shard.completed, shard.failed])
      shard.call('ZREM', key, id)
    shard.drop(id)
    return existed
  },
  parse: (reply) => Number(reply) === 1,
})
