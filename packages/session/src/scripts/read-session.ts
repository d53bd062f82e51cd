import { defineScript, type Reply } from '@rediware/redis'
import { decodeStored, luaStoredValue } from '../stored-value.js'
import { asArray, asText, int, localNow, localRead } from './local-helpers.js'

export type ReadResult =
  | { kind: 'missing' }
  | { kind: 'expired' }
  | { kind: 'corrupt' }
  | { kind: 'found'; value: string; now: number; slid: number }

/**
 * Reads a session and, in the same call, slides its TTL by the idle time stored with it (capped by
 * the absolute deadline). A session past its absolute deadline is deleted and reported expired.
 * A value without our metadata (written by connect-redis) slides by its cookie's `originalMaxAge`,
 * or by the default idle time when that is null (0: do not slide).
 * A key holding another type than a string (a hash, list, set…) is deleted and reported corrupt (2).
 * KEYS: session key. ARGV: absoluteMs (0 = none), slide (1/0), default idle ms for such values.
 */
export const readSession = defineScript<ReadResult>({
  name: 'session-read',
  keys: 1,
  lua: `${luaStoredValue}
local v, bad = read_value(KEYS[1])
if bad then return 2 end
if not v then return 0 end
local abs = tonumber(ARGV[1])
local now = now_ms()
local c, i = decode(v)
if c and abs > 0 and c + abs <= now then
  redis.call('DEL', KEYS[1])
  return 1
end
if not c then
  local legacy = string.match(v, '"originalMaxAge":(%d+)')
  if legacy then i = tonumber(legacy)
  elseif string.find(v, '"originalMaxAge":null', 1, true) then i = tonumber(ARGV[3])
  else i = 0 end
end
local slid = 0
if ARGV[2] == '1' and i > 0 and redis.call('PTTL', KEYS[1]) >= 0 then
  local at = now + i
  if c and abs > 0 and c + abs < at then at = c + abs end
  redis.call('PEXPIREAT', KEYS[1], fmt(at))
  slid = i
end
return { v, fmt(now), slid }
`,
  local: (redis, keys, args) => {
    const key = keys[0] ?? ''
    const { value, corrupt } = localRead(redis, key)
    if (corrupt) return 2
    if (value === null) return 0
    const absolute = int(args[0])
    const now = localNow(redis)
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
    let slid = 0
    const pttl = redis.call('PTTL', key)
    if (args[1] === '1' && idle > 0 && typeof pttl === 'number' && pttl >= 0) {
      let at = now + idle
      if (meta && absolute > 0 && meta.created + absolute < at) at = meta.created + absolute
      redis.call('PEXPIREAT', key, at)
      slid = idle
    }
    return [value, String(now), slid]
  },
  parse: (reply: Reply): ReadResult => {
    if (reply === 0 || reply === null) return { kind: 'missing' }
    if (reply === 1) return { kind: 'expired' }
    if (reply === 2) return { kind: 'corrupt' }
    const [value, now, slid] = asArray(reply)
    return { kind: 'found', value: asText(value), now: Number(asText(now)), slid: Number(slid) }
  },
})
