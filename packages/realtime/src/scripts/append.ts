import { defineScript, type Reply } from '@rediware/redis'

/**
 * Appends one event to a channel's log, trims the log, and announces the event on the channel's
 * pub/sub channel, atomically (so announcements come in log order).
 *
 * KEYS[1]  the log (stream)
 * KEYS[2]  the live pub/sub channel (same hash tag as the log)
 * ARGV[1]  event type
 * ARGV[2]  event data, JSON
 * ARGV[3]  history: keep about this many entries (MAXLEN ~)
 * ARGV[4]  history: time to live in ms; entries older are trimmed (MINID ~) and the key expires
 *          this long after the last publish; 0 for none
 * ARGV[5]  'PUBLISH', or 'SPUBLISH' where pub/sub is sharded
 *
 * Each entry records the id of the entry before it (`p`), so a reader can tell "the next event" from
 * "an event after a gap" whatever was trimmed. The announcement is `id \t prev \t type \t data`.
 *
 * Returns the new event's id.
 */
const lua = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local prev = '0-0'
if last[1] then prev = last[1][1] end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'p', prev, 't', ARGV[1], 'd', ARGV[2])
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  local now = redis.call('TIME')
  local floor = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - ttl
  if floor > 0 then redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%.0f', floor)) end
  redis.call('PEXPIRE', KEYS[1], ttl)
end
redis.call(ARGV[5], KEYS[2], id .. '\\t' .. prev .. '\\t' .. ARGV[1] .. '\\t' .. ARGV[2])
return id
`

export const appendScript = defineScript<string>({
  name: 'realtime-append',
  keys: 2,
  lua,
  local: (redis, [log = '', live = ''], [type = '', data = '', maxLen = '0', ttl = '0', publish = 'PUBLISH']) => {
    const last = redis.call('XREVRANGE', log, '+', '-', 'COUNT', 1) as Reply[][]
    const prev = last[0] ? String(last[0][0]) : '0-0'
    const id = String(redis.call('XADD', log, 'MAXLEN', '~', maxLen, '*', 'p', prev, 't', type, 'd', data))
    const ttlMs = Number(ttl)
    if (ttlMs > 0) {
      const [seconds, micros] = redis.call('TIME') as [string, string]
      const floor = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - ttlMs
      if (floor > 0) redis.call('XTRIM', log, 'MINID', '~', String(floor))
      redis.call('PEXPIRE', log, ttlMs)
    }
    redis.call(publish, live, `${id}\t${prev}\t${type}\t${data}`)
    return id
  },
  parse: String,
})
