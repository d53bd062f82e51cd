import { defineScript, type Reply } from '@rediware/redis'
import { decodeStored, encodeStored, luaStoredValue } from '../stored-value.js'
import { int, localNow, localRead } from './local-helpers.js'

/**
 * Resets the idle timer of an existing session (never creates one). When the idle time changed (a
 * new `cookie.maxAge`, "remember me"), the stored idle time is updated so later reads slide by it.
 * A key holding another type than a string is deleted and reported corrupt.
 * KEYS: session key. ARGV: idleMs, absoluteMs (0 = none), fixedMs (> 0: a fixed expiry moved to now +
 * fixedMs; idleMs is then 0). Reply: 1 touched, 0 missing or expired, 2 corrupt.
 */
export const touchSession = defineScript<'touched' | 'missing' | 'corrupt'>({
  name: 'session-touch',
  keys: 1,
  lua: `${luaStoredValue}
local v, bad = read_value(KEYS[1])
if bad then return 2 end
if not v then return 0 end
local now = now_ms()
local idle = tonumber(ARGV[1])
local abs = tonumber(ARGV[2])
local c, i, u, payload = decode(v)
local at = now + idle
local fixed = tonumber(ARGV[3] or '0')
if fixed > 0 then at = now + fixed end
if c and abs > 0 then
  local deadline = c + abs
  if deadline <= now then
    redis.call('DEL', KEYS[1])
    return 0
  end
  if deadline < at then at = deadline end
end
if c and i ~= idle then
  redis.call('SET', KEYS[1], encode(payload, c, idle, u), 'PXAT', fmt(at))
else
  redis.call('PEXPIREAT', KEYS[1], fmt(at))
end
return 1
`,
  local: (redis, keys, args) => {
    const key = keys[0] ?? ''
    const { value, corrupt } = localRead(redis, key)
    if (corrupt) return 2
    if (value === null) return 0
    const now = localNow(redis)
    const idle = int(args[0])
    const absolute = int(args[1])
    const { meta, payload } = decodeStored(value)
    const fixed = int(args[2])
    let at = fixed > 0 ? now + fixed : now + idle
    if (meta && absolute > 0) {
      const deadline = meta.created + absolute
      if (deadline <= now) {
        redis.call('DEL', key)
        return 0
      }
      if (deadline < at) at = deadline
    }
    if (meta && meta.idle !== idle) redis.call('SET', key, encodeStored(payload, { ...meta, idle }), 'PXAT', at)
    else redis.call('PEXPIREAT', key, at)
    return 1
  },
  parse: (reply: Reply) => (reply === 1 ? 'touched' : reply === 2 ? 'corrupt' : 'missing'),
})
