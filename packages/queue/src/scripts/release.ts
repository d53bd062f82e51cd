import type { Reply } from '@rediware/redis'
import { defineShardScript } from './define.js'
import { SPAN } from './shard-local.js'

/**
 * release: gives jobs back (a closing worker that could not finish them in time). Each goes to the
 * front of its priority in waiting, and the attempt it was on does not count.
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: pairs of id, lease token.
 * Returns: the number of jobs given back (a lease already lost is skipped).
 */
const lua = `
local released = 0
for i = 1, #ARGV, 2 do
  local id = ARGV[i]
  local job = load(id)
  if job and job.state == 'active' and tostring(job.lease) == ARGV[i + 1] then
    redis.call('ZREM', K_ACTIVE, id)
    job.attempt = job.attempt - 1
    job.lease = nil
    job.worker = nil
    job.state = 'waiting'
    save(id, job)
    redis.call('ZADD', K_WAIT, (job.priority or 0) * SPAN, id)
    released = released + 1
  end
end
return released
`

export const releaseScript = defineShardScript<number>({
  name: 'queue:release',
  lua,
  local: (shard, args): Reply => {
    let released = 0
    for (let index = 0; index < args.length; index += 2) {
      const id = args[index] ?? ''
      const job = shard.load(id)
      if (job && job.state === 'active' && String(job.lease) === args[index + 1]) {
        shard.call('ZREM', shard.active, id)
        job.attempt -= 1
        job.lease = undefined
        job.worker = undefined
        job.state = 'waiting'
        shard.save(id, job)
        shard.call('ZADD', shard.wait, (job.priority ?? 0) * SPAN, id)
        released += 1
      }
    }
    return released
  },
  parse: Number,
})
