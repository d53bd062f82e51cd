import { fmt, num } from './shared.js'
import type { Mechanism } from './mechanism.js'

/**
 * GCRA (a token bucket with a continuous refill): `limit` units of burst, refilled at `limit` per
 * `w`. State: one string key, the theoretical arrival time (TAT) in µs. The emission interval is a
 * whole number of µs rounded down, and the burst tolerance is exactly `limit` intervals.
 */
const lua = `
local function interval(limit, w)
  local e = math.floor(w * 1000 / limit)
  if e < 1 then e = 1 end
  return e
end
local function gcra_check(key, limit, w)
  local e = interval(limit, w)
  local tat = tonumber(redis.call('GET', key)) or nowUs
  -- A valid TAT is never more than a window ahead; NaN, infinities and values written by something
  -- else read as a fresh bucket (and are overwritten by the next charge).
  if not (tat <= nowUs + w * 1000) then tat = nowUs end
  if tat < nowUs then tat = nowUs end
  return tat, tat + cost * e - nowUs <= limit * e
end
local function gcra_out(out, key, limit, w, tat, ok)
  local e = interval(limit, w)
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
    redis.call('SET', key, fmt(tat), 'PX', math.floor((tat - nowUs + 999) / 1000) + 1)
  end
  local remaining = math.floor((limit * e - (tat - nowUs)) / e)
  if remaining < 0 then remaining = 0 end
  push_policy(out, allowed, remaining, math.floor((tat - nowUs + 999) / 1000), retry, 0)
end
local function gcra_refund(key, limit, w)
  local e = interval(limit, w)
  local tat = tonumber(redis.call('GET', key))
  if tat ~= nil then
    tat = tat - cost * e
    if tat <= nowUs then
      redis.call('DEL', key)
    else
      redis.call('SET', key, fmt(tat), 'KEEPTTL')
    end
  end
end
`

const interval = (limit: number, w: number): number => Math.max(1, Math.floor((w * 1000) / limit))
const ceilMs = (us: number): number => Math.floor((us + 999) / 1000)

export const gcraMechanism: Mechanism = {
  name: 'gcra',
  lua,
  check(ctx, key, limit, w) {
    const e = interval(limit, w)
    const stored = num(ctx.redis.call('GET', key)) ?? ctx.nowUs
    const tat = Math.max(stored <= ctx.nowUs + w * 1000 ? stored : ctx.nowUs, ctx.nowUs)
    return { state: tat, fits: tat + ctx.cost * e - ctx.nowUs <= limit * e }
  },
  outcome(ctx, key, limit, w, start, ok) {
    const { nowUs, cost } = ctx
    const e = interval(limit, w)
    let tat = start
    let allowed = 1
    let retry = 0
    if (tat + cost * e - nowUs > limit * e) {
      allowed = 0
      retry = cost > limit ? -1 : ceilMs(tat + cost * e - limit * e - nowUs)
    }
    if (ok && cost > 0) {
      tat += cost * e
      ctx.redis.call('SET', key, fmt(tat), 'PX', ceilMs(tat - nowUs) + 1)
    }
    return [allowed, Math.max(0, Math.floor((limit * e - (tat - nowUs)) / e)), ceilMs(tat - nowUs), retry, 0]
  },
  refund(ctx, key, limit, w) {
    const e = interval(limit, w)
    const stored = num(ctx.redis.call('GET', key))
    if (stored === undefined) return
    const tat = stored - ctx.cost * e
    if (tat <= ctx.nowUs) ctx.redis.call('DEL', key)
    else ctx.redis.call('SET', key, fmt(tat), 'KEEPTTL')
  },
}
