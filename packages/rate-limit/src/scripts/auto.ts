import type { LocalRedis, Reply } from '@rediware/redis'
import { fmt, luaPreamble, num, readCommon, type LimiterScriptSource } from './shared.js'

/**
 * The largest limit the default algorithm counts with an exact sliding log; above it, a token
 * bucket (GCRA). The limiter picks each policy's key suffix from the same bound (`autoMechanism`).
 */
export const LOG_MAX = 1000

/** Which structure a policy of `limit` uses under the default algorithm (also its key suffix). */
export const autoMechanism = (limit: number): 'log' | 'gcra' => (limit <= LOG_MAX ? 'log' : 'gcra')

/**
 * The default algorithm, per policy:
 * - limit ≤ LOG_MAX: an exact sliding log (sorted set of admitted units scored in ms, members
 *   `<request id>:<unit>`), so a request passes iff the units in the last `window` plus its cost fit;
 * - above: GCRA (a string key holding the theoretical arrival time in µs), burst `limit`, refill
 *   `limit` per `window`, emission interval rounded down.
 * Both admit every client that never sends more than `limit` units in any `window`-long interval.
 */
const lua = `${luaPreamble}
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function interval(limit, w)
  local e = math.floor(w * 1000 / limit)
  if e < 1 then e = 1 end
  return e
end
local function policy(i)
  local b = 3 + (i - 1) * 3
  return tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
end
if mode == 'r' then
  for i = 1, n do
    local limit, w = policy(i)
    if limit <= ${LOG_MAX} then
      for j = 1, cost do redis.call('ZREM', KEYS[i], rid .. ':' .. j) end
    else
      local e = interval(limit, w)
      local tat = tonumber(redis.call('GET', KEYS[i]))
      if tat ~= nil then
        tat = tat - cost * e
        if tat <= nowUs then redis.call('DEL', KEYS[i]) else redis.call('SET', KEYS[i], fmt(tat), 'KEEPTTL') end
      end
    end
  end
  return {1}
end
local S, ok = {}, 1
for i = 1, n do
  local limit, w = policy(i)
  if limit <= ${LOG_MAX} then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - w)
    S[i] = redis.call('ZCARD', KEYS[i])
    if S[i] + cost > limit then ok = 0 end
  else
    local e = interval(limit, w)
    local tat = tonumber(redis.call('GET', KEYS[i])) or nowUs
    if tat < nowUs then tat = nowUs end
    S[i] = tat
    if tat + cost * e - nowUs > limit * e then ok = 0 end
  end
end
local out = {ok}
for i = 1, n do
  local limit, w = policy(i)
  local allowed, retry = 1, 0
  if limit <= ${LOG_MAX} then
    local count = S[i]
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
  else
    local e = interval(limit, w)
    local tat = S[i]
    if tat + cost * e - nowUs > limit * e then
      allowed = 0
      if cost > limit then retry = -1 else retry = math.floor((tat + cost * e - limit * e - nowUs + 999) / 1000) end
    end
    if ok == 1 and cost > 0 then
      tat = tat + cost * e
      redis.call('SET', KEYS[i], fmt(tat), 'PX', math.floor((tat - nowUs + 999) / 1000) + 1)
    end
    local remaining = math.floor((limit * e - (tat - nowUs)) / e)
    if remaining < 0 then remaining = 0 end
    push_policy(out, allowed, remaining, math.floor((tat - nowUs + 999) / 1000), retry, 0)
  end
end
return out
`

const interval = (limit: number, w: number): number => Math.max(1, Math.floor((w * 1000) / limit))
const ceilMs = (us: number): number => Math.floor((us + 999) / 1000)

function scoreAt(redis: LocalRedis, key: string, index: number): number {
  const reply = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return Array.isArray(reply) ? (num(reply[1]) ?? 0) : 0
}

function refund(redis: LocalRedis, key: string, limit: number, window: number, cost: number, rid: string, nowUs: number): void {
  if (limit <= LOG_MAX) {
    for (let j = 1; j <= cost; j++) redis.call('ZREM', key, `${rid}:${j}`)
    return
  }
  const e = interval(limit, window)
  const stored = num(redis.call('GET', key))
  if (stored === undefined) return
  const tat = stored - cost * e
  if (tat <= nowUs) redis.call('DEL', key)
  else redis.call('SET', key, fmt(tat), 'KEEPTTL')
}

interface Ctx {
  redis: LocalRedis
  now: number
  nowUs: number
  cost: number
  rid: string
  ok: number
}

/** The reply fields of one policy after the check: allowed, remaining, reset, retry, stamp. */
function logOutcome(ctx: Ctx, key: string, limit: number, w: number, start: number): number[] {
  const { redis, now, cost, rid, ok } = ctx
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
  return [allowed, Math.max(0, limit - count), reset, retry, 0]
}

function gcraOutcome(ctx: Ctx, key: string, limit: number, w: number, start: number): number[] {
  const { redis, nowUs, cost, ok } = ctx
  const e = interval(limit, w)
  let tat = start
  let allowed = 1
  let retry = 0
  if (tat + cost * e - nowUs > limit * e) {
    allowed = 0
    retry = cost > limit ? -1 : ceilMs(tat + cost * e - limit * e - nowUs)
  }
  if (ok === 1 && cost > 0) {
    tat += cost * e
    redis.call('SET', key, fmt(tat), 'PX', ceilMs(tat - nowUs) + 1)
  }
  return [allowed, Math.max(0, Math.floor((limit * e - (tat - nowUs)) / e)), ceilMs(tat - nowUs), retry, 0]
}

function local(redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply {
  const { now, nowUs, mode, cost, rid, policies } = readCommon(redis, keys, args)
  if (mode === 'r') {
    keys.forEach((key, index) => {
      const policy = policies[index]
      if (policy) refund(redis, key, policy.limit, policy.window, cost, rid, nowUs)
    })
    return [1]
  }
  let ok = 1
  const starts = keys.map((key, index) => {
    const { limit, window } = policies[index] ?? { limit: 0, window: 1 }
    if (limit <= LOG_MAX) {
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
      const count = num(redis.call('ZCARD', key)) ?? 0
      if (count + cost > limit) ok = 0
      return count
    }
    const e = interval(limit, window)
    const tat = Math.max(num(redis.call('GET', key)) ?? nowUs, nowUs)
    if (tat + cost * e - nowUs > limit * e) ok = 0
    return tat
  })
  const ctx: Ctx = { redis, now, nowUs, cost, rid, ok }
  const out: number[] = [ok]
  starts.forEach((start, index) => {
    const key = keys[index]
    const policy = policies[index]
    if (key === undefined || !policy) return
    const outcome = policy.limit <= LOG_MAX ? logOutcome(ctx, key, policy.limit, policy.window, start) : gcraOutcome(ctx, key, policy.limit, policy.window, start)
    out.push(...outcome)
  })
  return out
}

export const auto: LimiterScriptSource = { name: 'rate-limit:auto', lua, local }
