import type { Reply } from '@rediware/redis'
import { defineShardScript, replyRows } from './define.js'
import { type LocalShard, STEP, readKeep } from './shard-local.js'

/**
 * take: a worker's one call per step on one shard. In order:
 *   1. settles the job it finished, if any: only while its lease token is still the job's (fencing);
 *   2. moves due delayed jobs to waiting;
 *   3. takes back jobs whose lease expired (a stall counts as an attempt: retry after the backoff,
 *      or failed when none is left);
 *   4. claims up to `count` waiting jobs (highest priority, then oldest), each with a new lease.
 *
 * KEYS: the shard's keys (see shard-lua.ts).
 * ARGV:
 *   1 worker id            2 lease (ms)            3 count to claim        4 jitter draw [0, 1)
 *   5 keep completed age   6 keep completed count  7 keep failed age       8 keep failed count   (-1: unbounded)
 *   9 settle: job id ('' for none)   10 its lease token (settling the same token again, a retry
 *     whose first reply was lost, answers the first outcome and changes nothing)
 *   11 outcome: 'c' completed, 'f' failed (retry while attempts remain), 'x' failed for good
 *   12 result JSON or error text
 * Returns: { now, nextAt (earliest delayed or lease expiry, -1 if none), more (1 if jobs still wait),
 *   settled (-1 none, 0 lease lost, 1 completed, 2 will retry, 3 failed),
 *   claimed: flat { id, token, attempt, attempts, payload, timeout, name },
 *   recovered: flat { id, outcome (2 will retry, 3 failed), attempt } }
 */
const lua = `
local worker, leaseMs, count, jitter = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local cAge, cCount, fAge, fCount = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])

local settled = -1
local settleId = ARGV[9]
if settleId ~= '' then
  settled = 0
  local job = load(settleId)
  if job and job.state == 'active' and tostring(job.lease) == ARGV[10] then
    redis.call('ZREM', K_ACTIVE, settleId)
    job.settled = job.lease
    if ARGV[11] == 'c' then
      job.result = ARGV[12]
      job.error = nil
      finish(settleId, job, 'completed', cAge, cCount)
      settled = 1
    else
      settled = failAttempt(settleId, job, ARGV[12], ARGV[11] == 'f', jitter, fAge, fCount)
    end
  elseif job and tostring(job.settled) == ARGV[10] then
    -- This attempt was settled already: a retried call whose first reply was lost.
    settled = 2
    if job.state == 'completed' then settled = 1 elseif job.state == 'failed' then settled = 3 end
  end
end

for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now, 'LIMIT', 0, STEP)) do
  redis.call('ZREM', K_DELAYED, id)
  local job = load(id)
  if job then enqueue(id, job, now) end
end

local recovered = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K_ACTIVE, '-inf', now, 'LIMIT', 0, STEP)) do
  redis.call('ZREM', K_ACTIVE, id)
  local job = load(id)
  if job and job.state == 'active' then
    job.stalls = (job.stalls or 0) + 1
    local outcome = failAttempt(id, job, 'stalled: the lease expired before the worker finished (it died, hung or lost Redis)', true, jitter, fAge, fCount)
    recovered[#recovered + 1] = id
    recovered[#recovered + 1] = outcome
    recovered[#recovered + 1] = job.attempt
  end
end

local claimed = {}
if count > 0 then
  local popped = redis.call('ZPOPMIN', K_WAIT, count)
  for i = 1, #popped, 2 do
    local id = popped[i]
    local job = load(id)
    if job then
      local token = redis.call('INCR', K_SEQ)
      job.attempt = job.attempt + 1
      job.state = 'active'
      job.lease = token
      job.worker = worker
      job.startedAt = now
      save(id, job)
      redis.call('ZADD', K_ACTIVE, now + leaseMs, id)
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = token
      claimed[#claimed + 1] = job.attempt
      claimed[#claimed + 1] = job.attempts or 1
      claimed[#claimed + 1] = redis.call('HGET', K_DATA, id) or 'null'
      claimed[#claimed + 1] = job.timeout or 0
      claimed[#claimed + 1] = job.name or ''
    end
  end
end

local nextAt = -1
for _, key in ipairs({ K_DELAYED, K_ACTIVE }) do
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if first[2] then
    local at = tonumber(first[2])
    if nextAt < 0 or at < nextAt then nextAt = at end
  end
end
local more = 0
if redis.call('ZCARD', K_WAIT) > 0 then more = 1 end
return { now, nextAt, more, settled, claimed, recovered }
`

function takeLocal(shard: LocalShard, args: readonly string[]): Reply {
  const worker = args[0] ?? ''
  const leaseMs = Number(args[1])
  const count = Number(args[2])
  const jitter = Number(args[3])
  const keepCompleted = readKeep(args, 4)
  const keepFailed = readKeep(args, 6)

  let settled = -1
  const settleId = args[8] ?? ''
  if (settleId !== '') {
    settled = 0
    const job = shard.load(settleId)
    if (job && job.state === 'active' && String(job.lease) === args[9]) {
      shard.call('ZREM', shard.active, settleId)
      job.settled = job.lease
      if (args[10] === 'c') {
        job.result = args[11]
        job.error = undefined
        shard.finish(settleId, job, 'completed', keepCompleted)
        settled = 1
      } else {
        settled = shard.failAttempt(settleId, job, args[11] ?? '', args[10] === 'f', jitter, keepFailed)
      }
    } else if (job && String(job.settled) === args[9]) {
      settled = job.state === 'completed' ? 1 : job.state === 'failed' ? 3 : 2
    }
  }

  for (const id of texts(shard.call('ZRANGEBYSCORE', shard.delayed, '-inf', shard.now, 'LIMIT', 0, STEP))) {
    shard.call('ZREM', shard.delayed, id)
    const job = shard.load(id)
    if (job) shard.enqueue(id, job, shard.now)
  }

  const recovered: Reply[] = []
  for (const id of texts(shard.call('ZRANGEBYSCORE', shard.active, '-inf', shard.now, 'LIMIT', 0, STEP))) {
    shard.call('ZREM', shard.active, id)
    const job = shard.load(id)
    if (job && job.state === 'active') {
      job.stalls = (job.stalls ?? 0) + 1
      const outcome = shard.failAttempt(
        id,
        job,
        'stalled: the lease expired before the worker finished (it died, hung or lost Redis)',
        true,
        jitter,
        keepFailed,
      )
      recovered.push(id, outcome, job.attempt)
    }
  }

  const claimed: Reply[] = []
  if (count > 0) {
    const popped = texts(shard.call('ZPOPMIN', shard.wait, count))
    for (let index = 0; index < popped.length; index += 2) {
      const id = popped[index] ?? ''
      const job = shard.load(id)
      if (!job) continue
      const token = Number(shard.call('INCR', shard.seq))
      job.attempt += 1
      job.state = 'active'
      job.lease = token
      job.worker = worker
      job.startedAt = shard.now
      shard.save(id, job)
      shard.call('ZADD', shard.active, shard.now + leaseMs, id)
      const payload = shard.call('HGET', shard.data, id)
      claimed.push(
        id,
        token,
        job.attempt,
        job.attempts || 1,
        typeof payload === 'string' ? payload : 'null',
        job.timeout || 0,
        job.name || '',
      )
    }
  }

  let nextAt = -1
  for (const key of [shard.delayed, shard.active]) {
    const first = texts(shard.call('ZRANGE', key, 0, 0, 'WITHSCORES'))
    if (first[1] !== undefined) {
      const at = Number(first[1])
      if (nextAt < 0 || at < nextAt) nextAt = at
    }
  }
  const more = Number(shard.call('ZCARD', shard.wait)) > 0 ? 1 : 0
  return [shard.now, nextAt, more, settled, claimed, recovered]
}

const texts = (reply: Reply): string[] => (Array.isArray(reply) ? reply.map(String) : [])

export interface ClaimedJob {
  id: string
  token: string
  attempt: number
  attempts: number
  payload: string
  timeout: number
  name: string
}

export interface RecoveredJob {
  id: string
  willRetry: boolean
  attempt: number
}

/** -1 nothing settled, 0 lease lost, 1 completed, 2 will retry, 3 failed. */
export type Settled = -1 | 0 | 1 | 2 | 3

export interface TakeReply {
  now: number
  nextAt: number
  more: boolean
  settled: Settled
  claimed: ClaimedJob[]
  recovered: RecoveredJob[]
}

export function parseTakeReply(reply: Reply): TakeReply {
  if (!Array.isArray(reply) || reply.length < 6)
    throw new Error(`unexpected reply from queue:take: ${JSON.stringify(reply)}`)
  const [now, nextAt, more, settled, claimedRaw, recoveredRaw] = reply
  const claimed = replyRows(claimedRaw, 7).map(
    ([id, token, attempt, attempts, payload, timeout, name]): ClaimedJob => ({
      id: String(id),
      token: String(token),
      attempt: Number(attempt),
      attempts: Number(attempts),
      payload: String(payload),
      timeout: Number(timeout),
      name: String(name),
    }),
  )
  const recovered = replyRows(recoveredRaw, 3).map(
    ([id, willRetry, attempt]): RecoveredJob => ({
      id: String(id),
      willRetry: Number(willRetry) === 2,
      attempt: Number(attempt),
    }),
  )
  return {
    now: Number(now),
    nextAt: Number(nextAt),
    more: Number(more) === 1,
    settled: Number(settled) as Settled,
    claimed,
    recovered,
  }
}

export const takeScript = defineShardScript<TakeReply>({
  name: 'queue:take',
  lua,
  local: takeLocal,
  parse: parseTakeReply,
})
