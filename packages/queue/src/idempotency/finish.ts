import { defineKeyScript } from './key-record.js'

/**
 * idempotency:finish — stores the response of a claimed key, or lets the key go.
 *
 * KEYS: 1 the key's record.
 * ARGV: 1 claim token, 2 response JSON ('' to let the key go: a failed request may be retried), 3 ttl (ms).
 * Returns: 1 if this claim still held the key, else 0 (it expired and someone else claimed it).
 */
const finishLua = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, record = pcall(cjson.decode, raw)
if not ok or type(record) ~= 'table' or record.t ~= ARGV[1] or record.s ~= 'p' then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], cjson.encode({ s = 'd', f = record.f, r = ARGV[2] }), 'PX', ARGV[3])
end
return 1
`

export const finishScript = defineKeyScript<boolean>({
  name: 'idempotency:finish',
  lua: finishLua,
  local: (record, key, redis, [token = '', response = '', ttl = '0']) => {
    if (!record || record.t !== token || record.s !== 'p') return 0
    if (response === '') redis.call('DEL', key)
    else redis.call('SET', key, JSON.stringify({ s: 'd', f: record.f, r: response }), 'PX', ttl)
    return 1
  },
  parse: (reply) => Number(reply) === 1,
})
