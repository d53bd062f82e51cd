import type { LocalRedis, Reply } from '@rediware/redis'
import { luaPreamble, num, readCommon, type LimiterScriptSource } from './shared.js'

/**
 * Exact sliding log: a sorted set of admitted units scored by their time in ms; members are
 * `<request id>:<unit>` so a refund removes exactly what that request added. O(limit) memory per
 * key: meant for low limits (login, signup, password reset).
 */
const lua = `${luaPreamble}
if mode == 'r' then
  for i = 1, n do
    for j = 1, cost do redis.call('ZREM', KEYS[i], rid .. ':' .. j) end
  end
  return {1}
end
local C, ok = {}, 1
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[b + 1])
  local w = tonumber(ARGV[b + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - w)
  C[i] = redis.call('ZCARD', KEYS[i])
  if C[i] + cost > limit then ok = 0 end
end
local out = {ok}
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[b + 1])
  local w = tonumber(ARGV[b + 2])
  local count = C[i]
  local allowed, retry = 1, 0
  if count + cost > limit then
    allowed = 0
    if cost > limit then
      retry = -1
    else
      local oldest = redis.call('ZRANGE', KEYS[i], count + cost - limit - 1, count + cost - limit - 1, 'WITHSCORES')
      retry = tonumber(oldest[2]) + w - now
    end
  end
  if ok == 1 and cost > 0 then
    for j = 1, cost do redis.call('ZADD', KEYS[i], now, rid .. ':' .. j) end
    redis.call('PEXPIRE', KEYS[i], w)
    count = count + cost
  end
  local reset = 0
  if count > 0 then
    local newest = redis.call('ZRANGE', KEYS[i], -1, -1, 'WITHSCORES')
    reset = tonumber(newest[2]) + w - now
  end
  local remaining = limit - count
  if remaining < 0 then remaining = 0 end
  push_policy(out, allowed, remaining, reset, retry, 0)
end
return out
`

function scoreAt(redis: LocalRedis, key: string, index: number): number {
  const reply = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return Array.isArray(reply) ? (num(reply[1]) ?? 0) : 0
}

function local(redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply {
  const { now, mode, cost, rid, policies } = readCommon(redis, keys, args)
  if (mode === 'r') {
    for (const key of keys) for (let j = 1; j <= cost; j++) redis.call('ZREM', key, `${rid}:${j}`)
    return [1]
  }
  let ok = 1
  const counts = keys.map((key, index) => {
    const { limit, window } = policies[index] ?? { limit: 0, window: 1 }
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    const count = num(redis.call('ZCARD', key)) ?? 0
    if (count + cost > limit) ok = 0
    return count
  })
  const out: number[] = [ok]
  counts.forEach((start, index) => {
    const key = keys[index]
    const policy = policies[index]
    if (key === undefined || !policy) return
    const { limit, window: w } = policy
    let count = start
    let allowed = 1
    let retry = 0
    if (count + cost > limit) {
      allowed = 0
      retry = cost > limit ? -1 : scoreAt(redis, key, count + cost - limit - 1) + w - now
    }
    if (ok === 1 && cost > 0) {
      for (let j = 1; j <= cost; j++) redis.call('ZADD', key, now, `${rid}:${j}`)
      redis.call('PEXPIRE', key, w)
      count += cost
    }
    const reset = count > 0 ? scoreAt(redis, key, -1) + w - now : 0
    out.push(allowed, Math.max(0, limit - count), reset, retry, 0)
  })
  return out
}

export const slidingLog: LimiterScriptSource = { name: 'rate-limit:sliding-log', lua, local }
