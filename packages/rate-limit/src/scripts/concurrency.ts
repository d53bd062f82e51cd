import type { LocalRedis, Reply } from '@rediware/redis'
import { luaPreamble, num, readCommon, type LimiterScriptSource } from './shared.js'

/**
 * In-flight (concurrency) limit: a sorted set of leases scored by their expiry in ms, so a process
 * that dies holding a slot only holds it until the lease times out. Same calling convention as the
 * rate scripts with one policy: limit = slots, window = lease timeout; mode 'r' releases `rid`.
 * Reply: [allowed, allowed, free slots, ms until the earliest lease expires, retryAfterMs, 0].
 */
const lua = `${luaPreamble}
if mode == 'r' then
  redis.call('ZREM', KEYS[1], rid)
  return {1}
end
local limit = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
local allowed, retry = 1, 0
if count + 1 > limit then
  allowed = 0
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  retry = tonumber(first[2]) - now
else
  redis.call('ZADD', KEYS[1], now + lease, rid)
  redis.call('PEXPIRE', KEYS[1], lease)
  count = count + 1
end
return {allowed, allowed, limit - count, 0, retry, 0}
`

function local(redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply {
  const { now, mode, rid, policies } = readCommon(redis, keys, args)
  const key = keys[0] ?? ''
  if (mode === 'r') {
    redis.call('ZREM', key, rid)
    return [1]
  }
  const { limit, window: lease } = policies[0] ?? { limit: 0, window: 1 }
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  let count = num(redis.call('ZCARD', key)) ?? 0
  let allowed = 1
  let retry = 0
  if (count + 1 > limit) {
    allowed = 0
    const first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    retry = (Array.isArray(first) ? (num(first[1]) ?? now) : now) - now
  } else {
    redis.call('ZADD', key, now + lease, rid)
    redis.call('PEXPIRE', key, lease)
    count += 1
  }
  return [allowed, allowed, limit - count, 0, retry, 0]
}

export const concurrency: LimiterScriptSource = { name: 'rate-limit:concurrency', lua, local }
