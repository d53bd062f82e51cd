import type { LocalRedis, Reply } from '@rediware/redis'

/**
 * Every limiter script shares one calling convention so the store can treat them alike:
 *
 * KEYS: one key per policy, all under one `{hash tag}`.
 * ARGV: [1] mode ('c' = check and charge, 'r' = refund), [2] cost, [3] request id,
 *       then three per policy: limit, window in ms, stamp (the window a refund applies to).
 *
 * Check reply: [allAllowed, then per policy: allowed, remaining, resetMs, retryAfterMs, stamp].
 * `retryAfterMs` is -1 when the cost can never fit (cost > limit). Refund reply: [1].
 */
export const PER_POLICY_ARGS = 3
export const PER_POLICY_REPLY = 5

/** Lua preamble: `now` in ms from the server clock (`sec`, `usec`: the TIME reply as numbers), and the common arguments and helpers. */
export const luaPreamble = `
local t = redis.call('TIME')
local sec, usec = tonumber(t[1]), tonumber(t[2])
local now = sec * 1000 + math.floor(usec / 1000)
local mode = ARGV[1]
local cost = tonumber(ARGV[2])
local rid = ARGV[3]
local n = #KEYS
local function fmt(x) return string.format('%.0f', x) end
-- Policy i's limit and window in ms. Each tonumber of a string costs Redis two strtod calls, so
-- callers parse what they need once: the stamp (the window a refund applies to) only in refunds.
local function policy(i)
  local b = 3 + (i - 1) * 3
  return tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
end
local function stamp_of(i) return tonumber(ARGV[3 + i * 3]) end
local function push_policy(out, allowed, remaining, reset, retry, charged_window)
  local k = #out
  out[k + 1] = allowed
  out[k + 2] = remaining
  out[k + 3] = reset
  out[k + 4] = retry
  out[k + 5] = charged_window
end
`

/** Lua for the counter scripts' refunds: takes `cost` back from a count field of a policy's hash, never below 0. */
export const luaGiveBack = `
local function give_back(key, field, count)
  local left = (tonumber(count) or 0) - cost
  if left < 0 then left = 0 end
  redis.call('HSET', key, field, fmt(left))
end
`

export interface Clock {
  now: number
  nowUs: number
}

export interface CommonArgs extends Clock {
  mode: string
  cost: number
  rid: string
  policies: { limit: number; window: number; stamp: number }[]
}

/** TypeScript twin of `luaPreamble`. */
export function readCommon(redis: LocalRedis, keys: readonly string[], args: readonly string[]): CommonArgs {
  const time = redis.call('TIME')
  const [seconds, micros] = Array.isArray(time) ? time.map((part: Reply) => Number(part)) : [Number.NaN, Number.NaN]
  const sec = seconds ?? Number.NaN
  const usec = micros ?? Number.NaN
  const policies = keys.map((_, index) => {
    const base = 3 + index * PER_POLICY_ARGS
    return { limit: Number(args[base]), window: Number(args[base + 1]), stamp: Number(args[base + 2]) }
  })
  return {
    now: sec * 1000 + Math.floor(usec / 1000),
    nowUs: sec * 1_000_000 + usec,
    mode: args[0] ?? 'c',
    cost: Number(args[1]),
    rid: args[2] ?? '',
    policies,
  }
}

/** Lua's `tonumber` on a reply that may be nil/null. */
export const num = (reply: Reply | undefined): number | undefined => {
  if (reply === null || reply === undefined) return undefined
  const value = Number(typeof reply === 'string' || typeof reply === 'number' ? reply : Number.NaN)
  return Number.isNaN(value) ? undefined : value
}

export const fmt = (value: number): string => Math.round(value).toFixed(0)

export interface PolicyOutcome {
  allowed: boolean
  remaining: number
  resetMs: number
  /** -1: the cost can never fit this policy. */
  retryAfterMs: number
  stamp: number
}

export interface ScriptOutcome {
  allowed: boolean
  policies: PolicyOutcome[]
}

function integerAt(list: readonly Reply[], index: number): number {
  const value = list[index]
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`rate-limit script: reply element ${index} is not an integer (${String(value)}).`)
  }
  return value
}

/** Parses a check reply; throws on anything malformed so garbage is treated as a store error. */
export function parseOutcome(reply: Reply): ScriptOutcome {
  if (!Array.isArray(reply) || reply.length < 1 || (reply.length - 1) % PER_POLICY_REPLY !== 0) {
    throw new TypeError('rate-limit script: unexpected reply shape.')
  }
  const list = reply as readonly Reply[]
  const policies: PolicyOutcome[] = []
  for (let base = 1; base < list.length; base += PER_POLICY_REPLY) {
    policies.push({
      allowed: integerAt(list, base) === 1,
      remaining: integerAt(list, base + 1),
      resetMs: integerAt(list, base + 2),
      retryAfterMs: integerAt(list, base + 3),
      stamp: integerAt(list, base + 4),
    })
  }
  return { allowed: integerAt(list, 0) === 1, policies }
}

/** A limiter script before it is bound to a number of policies (KEYS count). */
export interface LimiterScriptSource {
  name: string
  lua: string
  local: (redis: LocalRedis, keys: readonly string[], args: readonly string[]) => Reply
}
