import type { LocalRedis, Reply } from '@rediware/redis'
import { fmt, luaGiveBack, luaPreamble, num, readCommon, type LimiterScriptSource } from './shared.js'

/**
 * Sliding-window counter: windows aligned to epoch multiples of `w`; the previous window's count is
 * weighted by how much of it still overlaps the rolling window (rounded up, so the estimate never
 * under-counts an evenly spread previous window). State per policy: hash { s, c, p }.
 */
const lua = `${luaPreamble}${luaGiveBack}
local function ceildiv(a, b) return math.floor((a + b - 1) / b) end
-- The window state of one policy at \`now\`: window start, its count, the previous window's count,
-- the weighted use, and whether the hash must be rewritten whole (new window, or no readable count).
local function load_window(key, w)
  local cur = now - (now % w)
  local v = redis.call('HMGET', key, 's', 'c', 'p')
  local s = tonumber(v[1])
  local c = tonumber(v[2]) or 0
  local p = tonumber(v[3]) or 0
  local fresh = s ~= cur or tonumber(v[2]) == nil
  if s == nil then
    s, c, p = cur, 0, 0
  elseif s ~= cur then
    if cur == s + w then p = c else p = 0 end
    s, c = cur, 0
  end
  return s, c, p, c + ceildiv(p * (w - (now - s)), w), fresh
end
-- ms until \`cost\` fits under \`limit\` again (-1: never), for a request that does not fit now.
local function retry_after(limit, w, s, c, p)
  if cost > limit then return -1 end
  local room = limit - c - cost
  if room >= 0 then return s + w - math.floor(room * w / p) - now end
  local e = 0
  if c > 0 then e = w - math.floor((limit - cost) * w / c) end
  return s + w + e - now
end
local function charge(key, w, s, c, p, fresh)
  if fresh then
    redis.call('HSET', key, 's', fmt(s), 'c', fmt(c), 'p', fmt(p))
    redis.call('PEXPIRE', key, s + 2 * w - now)
  else
    -- Same window: only the count moves, and the expiry (s + 2w) is already set.
    redis.call('HINCRBY', key, 'c', cost)
  end
end
local function reset_in(w, s, c, p)
  if c > 0 then return s + 2 * w - now elseif p > 0 then return s + w - now end
  return 0
end
-- One policy (the common case): no per-policy tables (they are about a fifth of the script's cost).
if mode ~= 'r' and n == 1 then
  local limit, w = policy(1)
  local s, c, p, used, fresh = load_window(KEYS[1], w)
  local allowed, retry = 1, 0
  if used + cost > limit then
    allowed = 0
    retry = retry_after(limit, w, s, c, p)
  elseif cost > 0 then
    c = c + cost
    used = used + cost
    charge(KEYS[1], w, s, c, p, fresh)
  end
  local remaining = limit - used
  if remaining < 0 then remaining = 0 end
  return {allowed, allowed, remaining, reset_in(w, s, c, p), retry, s}
end
if mode == 'r' then
  for i = 1, n do
    local _, w = policy(i)
    local stamp = stamp_of(i)
    local v = redis.call('HMGET', KEYS[i], 's', 'c', 'p')
    local s = tonumber(v[1])
    if s ~= nil and s == stamp then
      give_back(KEYS[i], 'c', v[2])
    elseif s ~= nil and s == stamp + w then
      give_back(KEYS[i], 'p', v[3])
    end
  end
  return {1}
end
local S, C, P, U, F, ok = {}, {}, {}, {}, {}, 1
for i = 1, n do
  local limit, w = policy(i)
  local s, c, p, used, fresh = load_window(KEYS[i], w)
  S[i], C[i], P[i], U[i], F[i] = s, c, p, used, fresh
  if used + cost > limit then ok = 0 end
end
local out = {ok}
for i = 1, n do
  local limit, w = policy(i)
  local s, c, p, used = S[i], C[i], P[i], U[i]
  local allowed, retry = 1, 0
  if used + cost > limit then
    allowed = 0
    retry = retry_after(limit, w, s, c, p)
  end
  if ok == 1 and cost > 0 then
    c = c + cost
    used = used + cost
    charge(KEYS[i], w, s, c, p, F[i])
  end
  local remaining = limit - used
  if remaining < 0 then remaining = 0 end
  push_policy(out, allowed, remaining, reset_in(w, s, c, p), retry, s)
end
return out
`

const ceildiv = (a: number, b: number): number => Math.floor((a + b - 1) / b)

function local(redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply {
  const { now, mode, cost, policies } = readCommon(redis, keys, args)
  if (mode === 'r') {
    keys.forEach((key, index) => {
      const policy = policies[index]
      if (!policy) return
      const [sReply, cReply, pReply] = redis.call('HMGET', key, 's', 'c', 'p') as Reply[]
      const s = num(sReply)
      if (s !== undefined && s === policy.stamp) {
        redis.call('HSET', key, 'c', fmt(Math.max(0, (num(cReply) ?? 0) - cost)))
      } else if (s !== undefined && s === policy.stamp + policy.window) {
        redis.call('HSET', key, 'p', fmt(Math.max(0, (num(pReply) ?? 0) - cost)))
      }
    })
    return [1]
  }
  let ok = 1
  const state = keys.map((key, index) => {
    const { limit, window: w } = policies[index] ?? { limit: 0, window: 1 }
    const cur = now - (now % w)
    const [sReply, cReply, pReply] = redis.call('HMGET', key, 's', 'c', 'p') as Reply[]
    let s = num(sReply)
    let c = num(cReply) ?? 0
    let p = num(pReply) ?? 0
    const fresh = s !== cur || num(cReply) === undefined
    if (s === undefined) {
      s = cur
      c = 0
      p = 0
    } else if (s !== cur) {
      p = cur === s + w ? c : 0
      s = cur
      c = 0
    }
    const used = c + ceildiv(p * (w - (now - s)), w)
    if (used + cost > limit) ok = 0
    return { s, c, p, used, fresh }
  })
  const out: number[] = [ok]
  state.forEach((entry, index) => {
    const key = keys[index]
    const policy = policies[index]
    if (key === undefined || !policy) return
    const { limit, window: w } = policy
    let { c, used } = entry
    const { s, p, fresh } = entry
    let allowed = 1
    let retry = 0
    if (used + cost > limit) {
      allowed = 0
      if (cost > limit) {
        retry = -1
      } else {
        const room = limit - c - cost
        if (room >= 0) {
          retry = s + w - Math.floor((room * w) / p) - now
        } else {
          const e = c > 0 ? w - Math.floor(((limit - cost) * w) / c) : 0
          retry = s + w + e - now
        }
      }
    }
    if (ok === 1 && cost > 0) {
      c += cost
      used += cost
      if (fresh) {
        redis.call('HSET', key, 's', fmt(s), 'c', fmt(c), 'p', fmt(p))
        redis.call('PEXPIRE', key, s + 2 * w - now)
      } else {
        redis.call('HINCRBY', key, 'c', cost)
      }
    }
    const reset = c > 0 ? s + 2 * w - now : p > 0 ? s + w - now : 0
    out.push(allowed, Math.max(0, limit - used), reset, retry, s)
  })
  return out
}

export const slidingWindow: LimiterScriptSource = { name: 'rate-limit:sliding-window', lua, local }
