import { defineScript, type Reply } from '@rediware/redis'
import { decodeStored, luaDecodeMeta, luaNow, luaReadValue, type StoredValue } from '../stored-value.js'
import { asArray, asText, int, localNow, localRead } from './local-helpers.js'

export type ReadResult =
  | { kind: 'missing' }
  | { kind: 'expired' }
  | { kind: 'corrupt' }
  /** `now`: the Redis clock (ms), only when the read did not slide (the store needs it with `disableTTL`). */
  | { kind: 'found'; value: string; stored: StoredValue; now: number | undefined; slid: number }

/**
 * Reads a session and, in the same call, slides its TTL by the idle time stored with it (capped by
 * the absolute deadline). A session past its absolute deadline is deleted and reported expired.
 * A value without our metadata (written by connect-redis) slides by its cookie's `originalMaxAge`,
 * or by the default idle time when that is null (0: do not slide).
 * A key holding another type than a string (a hash, list, set…) is deleted and reported corrupt (2).
 * KEYS: session key. ARGV: absoluteMs (0 = none), slide (1/0), default idle ms for such values.
 * Reply: the value alone when it has our metadata and slid by its stored idle time (the common
 * case, and the cheapest reply to build); otherwise {value, now, slid}. The clock is read only when
 * it is needed (an absolute deadline, or no slide).
 */
export const readSession = defineScript<ReadResult>({
  name: 'session-read',
  keys: 1,
  lua: `${luaNow}${luaReadValue}${luaDecodeMeta}
local v, bad = read_value(KEYS[1])
if bad then return 2 end
if not v then return 0 end
-- Numbers are parsed only where they are compared (each tonumber of a string costs two strtod calls).
local abs = 0
if ARGV[1] ~= '0' then abs = tonumber(ARGV[1]) end
local slide = ARGV[2] == '1'
local now = 0
if abs > 0 or not slide then now = now_ms() end
local cs, is = decode_meta(v)
local c, i
if cs then
  i = tonumber(is)
  if abs > 0 then
    c = tonumber(cs)
    if c + abs <= now then
      redis.call('DEL', KEYS[1])
      return 1
    end
  end
else
  is = string.match(v, '"originalMaxAge":(%d+)')
  if is then i = tonumber(is)
  elseif string.find(v, '"originalMaxAge":null', 1, true) then is = ARGV[3]; i = tonumber(is)
  else i = 0 end
end
if slide and i > 0 and redis.call('PTTL', KEYS[1]) >= 0 then
  if c and c + abs < now + i then
    redis.call('PEXPIREAT', KEYS[1], fmt(c + abs))
  else
    redis.call('PEXPIRE', KEYS[1], is)
  end
  if cs then return v end
  return { v, now, i }
end
return { v, now, 0 }
`,
  local: (redis, keys, args) => {
    const key = keys[0] ?? ''
    const { value, corrupt } = localRead(redis, key)
    if (corrupt) return 2
    if (value === null) return 0
    const absolute = int(args[0])
    const slide = args[1] === '1'
    const now = absolute > 0 || !slide ? localNow(redis) : 0
    const { meta } = decodeStored(value)
    if (meta && absolute > 0 && meta.created + absolute <= now) {
      redis.call('DEL', key)
      return 1
    }
    let idle = meta?.idle ?? 0
    if (meta === undefined) {
      const legacy = /"originalMaxAge":(\d+)/.exec(value)
      idle = legacy ? Number(legacy[1]) : value.includes('"originalMaxAge":null') ? int(args[2]) : 0
    }
    if (slide && idle > 0) {
      const pttl = redis.call('PTTL', key)
      if (typeof pttl === 'number' && pttl >= 0) {
        if (meta && absolute > 0 && meta.created + absolute < now + idle)
          redis.call('PEXPIREAT', key, meta.created + absolute)
        else redis.call('PEXPIRE', key, idle)
        return meta ? value : [value, String(now), idle]
      }
    }
    return [value, String(now), 0]
  },
  parse: (reply: Reply): ReadResult => {
    if (reply === 0 || reply === null) return { kind: 'missing' }
    if (reply === 1) return { kind: 'expired' }
    if (reply === 2) return { kind: 'corrupt' }
    if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
      const value = asText(reply)
      const stored = decodeStored(value)
      return { kind: 'found', value, stored, now: undefined, slid: stored.meta?.idle ?? 0 }
    }
    const [value, now, slid] = asArray(reply)
    const text = asText(value)
    // A read that slid a connect-redis value does not read the clock: it answers now "0".
    const clock = Number(asText(now))
    return {
      kind: 'found',
      value: text,
      stored: decodeStored(text),
      now: clock > 0 ? clock : undefined,
      slid: Number(slid),
    }
  },
})
