import type { LocalRedis, Reply } from '@rediware/redis'
import { fmt, luaPreamble, num, readCommon, type LimiterScriptSource } from './shared.js'

/**
 * Token bucket as GCRA with a continuous refill: `limit` tokens of burst, refilled at `limit` per
 * `window`. State per policy: one string key, the theoretical arrival time (TAT) in µs. The emission
 * interval is a whole number of µs, and the burst tolerance is exactly `limit` intervals.
 */
const lua = `${luaPreamble}
local nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function interval(limit, w)
  local e = math.floor(w * 1000 / limit)
  if e < 1 then e = 1 end
  return e
end
if mode == 'r' then
  for i = 1, n do
    local b = 3 + (i - 1) * 3
    local e = interval(tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]))
    local tat = tonumber(redis.call('GET', KEYS[i]))
    if tat ~= nil then
      tat = tat - cost * e
      if tat <= nowUs then
        redis.call('DEL', KEYS[i])
      else
        redis.call('SET', KEYS[i], fmt(tat), 'KEEPTTL')
      end
    end
  end
  return {1}
end
local T, ok = {}, 1
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[b + 1])
  local e = interval(limit, tonumber(ARGV[b + 2]))
  local tat = tonumber(redis.call('GET', KEYS[i])) or nowUs
  if tat < nowUs then tat = nowUs end
  T[i] = tat
  if tat + cost * e - nowUs > limit * e then ok = 0 end
end
local out = {ok}
for i = 1, n do
  local b = 3 + (i - 1) * 3
  local limit = tonumber(ARGV[b + 1])
  local e = interval(limit, tonumber(ARGV[b + 2]))
  local tat = T[i]
  local allowed, retry = 1, 0
  if tat + cost * e - nowUs > limit * e then
    allowed = 0
    if cost > limit then
      retry = -1
    else
      retry = math.floor((tat + cost * e - limit * e - nowUs + 999) / 1000)
    end
  end
  if ok == 1 and cost > 0 then
    tat = tat + cost * e
    redis.call('SET', KEYS[i], fmt(tat), 'PX', math.floor((tat - nowUs + 999) / 1000) + 1)
  end
  local remaining = math.floor((limit * e - (tat - nowUs)) / e)
  if remaining < 0 then remaining = 0 end
  push_policy(out, allowed, remaining, math.floor((tat - nowUs + 999) / 1000), retry, 0)
end
return out
`

const interval = (limit: number, w: number): number => Math.max(1, Math.floor((w * 1000) / limit))
const ceilMs = (us: number): number => Math.floor((us + 999) / 1000)

function local(redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply {
  const { nowUs, mode, cost, policies } = readCommon(redis, keys, args)
  if (mode === 'r') {
    keys.forEach((key, index) => {
      const policy = policies[index]
      if (!policy) return
      const e = interval(policy.limit, policy.window)
      const stored = num(redis.call('GET', key))
      if (stored === undefined) return
      const tat = stored - cost * e
      if (tat <= nowUs) redis.call('DEL', key)
      else redis.call('SET', key, fmt(tat), 'KEEPTTL')
    })
    return [1]
  }
  let ok = 1
  const tats = keys.map((key, index) => {
    const { limit, window } = policies[index] ?? { limit: 0, window: 1 }
    const e = interval(limit, window)
    const tat = Math.max(num(redis.call('GET', key)) ?? nowUs, nowUs)
    if (tat + cost * e - nowUs > limit * e) ok = 0
    return tat
  })
  const out: number[] = [ok]
  tats.forEach((start, index) => {
    const key = keys[index]
    const policy = policies[index]
    if (key === undefined || !policy) return
    const { limit } = policy
    const e = interval(limit, policy.window)
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
    const remaining = Math.max(0, Math.floor((limit * e - (tat - nowUs)) / e))
    out.push(allowed, remaining, ceilMs(tat - nowUs), retry, 0)
  })
  return out
}

export const tokenBucket: LimiterScriptSource = { name: 'rate-limit:token-bucket', lua, local }
