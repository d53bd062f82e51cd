import { defineShardScript } from './define.js'

/**
 * retry: puts a failed or completed job back in waiting with its attempts reset (its last error
 * stays on the record until the next attempt ends).
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV: 1 job id.
 * Returns: 1 retried, 0 no such job, -1 the job is not finished (waiting, delayed or active).
 */
const lua = `
local id = ARGV[1]
local job = load(id)
if not job then return 0 end
if job.state ~= 'failed' and job.state ~= 'completed' then return -1 end
redis.call('ZREM', K_FAILED, id)
redis.call('ZREM', K_COMPLETED, id)
job.attempt = 0
job.result = nil
job.finishedAt = nil
enqueue(id, job, now)
return 1
`

export const retryScript = defineShardScript<-1 | 0 | 1>({
  name: 'queue:retry',
  lua,
  local: (shard, args) => {
    const id = args[0] ?? ''
    const job = shard.load(id)
    if (!job) return 0
    if (job.state !== 'failed' && job.state !== 'completed') return -1
    shard.call('ZREM', shard.failed, id)
    shard.call('ZREM', shard.completed, id)
    job.attempt = 0
    job.result = undefined
    job.finishedAt = undefined
    shard.enqueue(id, job, shard.now)
    return 1
  },
  parse: (reply) => Number(reply) as -1 | 0 | 1,
})
