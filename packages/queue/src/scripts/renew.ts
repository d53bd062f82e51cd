import type { Reply } from '@rediware/redis'
import { defineShardScript } from './define.js'

/**
 * renew: extends the leases a worker still holds on one shard, and stores progress.
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: 1 lease (ms), then triples of
 *   id        the job id
 *   token     the lease token the worker holds
 *   progress  JSON of the job's progress, or '' to leave it
 * Returns: 1 (lease extended) or 0 (lost: the job was taken back, removed or settled) per job.
 */
const lua = `
local leaseMs = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV, 3 do
  local id, progress = ARGV[i], ARGV[i + 2]
  local job = load(id)
  if job and job.state == 'active' and tostring(job.lease) == ARGV[i + 1] then
    redis.call('ZADD', K_ACTIVE, now + leaseMs, id)
    if progress ~= '' then
      job.progress = progress
      save(id, job)
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`

export const renewScript = defineShardScript<boolean[]>({
  name: 'queue:renew',
  lua,
  local: (shard, args) => {
    const leaseMs = Number(args[0])
    const out: Reply[] = []
    for (let index = 1; index < args.length; index += 3) {
      const id = args[index] ?? ''
      const progress = args[index + 2] ?? ''
      const job = shard.load(id)
      if (job && job.state === 'active' && String(job.lease) === args[index + 1]) {
        shard.call('ZADD', shard.active, shard.now + leaseMs, id)
        if (progress !== '') {
          job.progress = progress
          shard.save(id, job)
        }
        out.push(1)
      } else {
        out.push(0)
      }
    }
    return out
  },
  parse: (reply) => (Array.isArray(reply) ? reply.map((held) => Number(held) === 1) : []),
})
