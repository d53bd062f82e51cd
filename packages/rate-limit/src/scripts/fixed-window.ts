import type { LocalRedis, Reply } from '@rediware/redis'
import { fmt, luaGiveBack, luaPreamble, num, readCommon, type LimiterScriptSource } from './shared.js'

/**
 * Fixed window that starts at a key's first hit (express-rate-limit semantics). State per policy: a
 * hash { s = window start ms, c = count }. Nothing is written unless every policy admits the cost.
 */
const lua = `${luaPreamble}${luaGiveBack}
if mode == 'r' then
  for i = 1, n do
    local stamp = stamp_of(i)
    local v = redis.call('HMGET', KEYS[i], 's', 'c')
    if tonumber(v[1]) == stamp then give_back(KEYS[i], 'c', v[2]) end
  end
  return {1}
end
local starts, counts, out, ok = {}, {}, {}, 1
for i = 1, n do
  local limit, w = policy(i)
  local v = redis.call('HMGET', KEYS[i], 's', 'c')
  local s = tonumber(v[1])
  local c = tonumber(v[2]) or 0
  if s == nil or now >= s + w or now < s then
    s = now
    c = 0
  end
  starts[i] = s
  counts[i] = c
  if c + cost > limit then ok = 0 end
end
for i = 1, n do
  local limit, w = policy(i)
  local s, c = starts[i], counts[i]
  local allowed, retry = 1, 0
  if c + cost > limit then
    allowed = 0
    if cost > limit then retry = -1 else retry = s + w - now end
  end
  if ok == 1 and cost > 0 then
    c = c + cost
    redis.call('HSET', KEYS[i], 's', fmt(s), 'c', fmt(c))
    redis.call('PEXPIRE', KEYS[i], s + w - now)
  end
  local remaining = limit - c
  if remaining < 0 then remaining = 0 end
  push_policy(out, allowed, remaining, s + w - now, retry, s)
end
table.insert(out, 1, ok)
return out
`

function local(redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply {
  const { now, mode, cost, policies } = readCommon(redis, keys, args)
  if (mode === 'r') {
    keys.forEach((key, index) => {
      const [s, c] = redis.call('HMGET', key, 's', 'c') as Reply[]
      if (s !== null && s !== undefined && s === args[3 + index * 3 + 2]) {
        redis.call('HSET', key, 'c', fmt(Math.max(0, (num(c) ?? 0) - cost)))
      }
    })
    return [1]
  }
  const state = keys.map((key) => {
    const [sReply, cReply] = redis.call('HMGET', key, 's', 'c') as Reply[]
    return { s: num(sReply), c: num(cReply) ?? 0 }
  })
  let ok = 1
  policies.forEach(({ limit, window }, index) => {
    const entry = state[index]
    if (!entry) return
    if (entry.s === undefined || now >= entry.s + window || now < entry.s) {
      entry.s = now
      entry.c = 0
    }
    if (entry.c + cost > limit) ok = 0
  })
  const out: number[] = [ok]
  policies.forEach(({ limit, window }, index) => {
    const entry = state[index]
    const key = keys[index]
    if (!entry || key === undefined) return
    const s = entry.s ?? now
    let c = entry.c
    let allowed = 1
    let retry = 0
    if (c + cost > limit) {
      allowed = 0
      retry = cost > limit ? -1 : s + window - now
    }
    if (ok === 1 && cost > 0) {
      c += cost
      redis.call('HSET', key, 's', fmt(s), 'c', fmt(c))
      redis.call('PEXPIRE', key, s + window - now)
    }
    out.push(allowed, Math.max(0, limit - c), s + window - now, retry, s)
  })
  return out
}

export const fixedWindow: LimiterScriptSource = { name: 'rate-limit:fixed-window', lua, local }
