import { num } from './shared.js'
import type { Mechanism, PolicyContext } from './mechanism.js'

/**
 * Exact sliding log: a sorted set of admitted units scored by their time in ms; members are
 * `<request id>:<unit>` so a refund removes exactly what that request added. State: the count.
 */
const lua = `
local function log_check(key, limit, w)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
  local count = redis.call('ZCARD', key)
  return count, count + cost <= limit
end
local function log_out(out, key, limit, w, count, ok)
  local allowed, retry = 1, 0
  if count + cost > limit then
    allowed = 0
    if cost > limit then
      retry = -1
    else
      local oldest = redis.call('ZRANGE', key, count + cost - limit - 1, count + cost - limit - 1, 'WITHSCORES')
      retry = tonumber(oldest[2]) + w - now
    end
  end
  if ok == 1 and cost > 0 then
    for j = 1, cost do redis.call('ZADD', key, now, rid .. ':' .. j) end
    redis.call('PEXPIRE', key, w)
    count = count + cost
  end
  local reset = 0
  if count > 0 then
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    reset = tonumber(newest[2]) + w - now
  end
  local remaining = limit - count
  if remaining < 0 then remaining = 0 end
  push_policy(out, allowed, remaining, reset, retry, 0)
end
local function log_refund(key, limit, w)
  for j = 1, cost do redis.call('ZREM', key, rid .. ':' .. j) end
end
`

function scoreAt(ctx: PolicyContext, key: string, index: number): number {
  const reply = ctx.redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return Array.isArray(reply) ? (num(reply[1]) ?? 0) : 0
}

export const logMechanism: Mechanism = {
  name: 'log',
  lua,
  check(ctx, key, limit, w) {
    ctx.redis.call('ZREMRANGEBYSCORE', key, '-inf', ctx.now - w)
    const count = num(ctx.redis.call('ZCARD', key)) ?? 0
    return { state: count, fits: count + ctx.cost <= limit }
  },
  outcome(ctx, key, limit, w, start, ok) {
    const { now, cost, rid } = ctx
    let count = start
    let allowed = 1
    let retry = 0
    if (count + cost > limit) {
      allowed = 0
      retry = cost > limit ? -1 : scoreAt(ctx, key, count + cost - limit - 1) + w - now
    }
    if (ok && cost > 0) {
      for (let j = 1; j <= cost; j++) ctx.redis.call('ZADD', key, now, `${rid}:${j}`)
      ctx.redis.call('PEXPIRE', key, w)
      count += cost
    }
    const reset = count > 0 ? scoreAt(ctx, key, -1) + w - now : 0
    return [allowed, Math.max(0, limit - count), reset, retry, 0]
  },
  refund(ctx, key) {
    for (let j = 1; j <= ctx.cost; j++) ctx.redis.call('ZREM', key, `${ctx.rid}:${j}`)
  },
}
