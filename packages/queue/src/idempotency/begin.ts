import { defineKeyScript } from './key-record.js'

/**
 * idempotency:begin — claims an Idempotency-Key, or says why not.
 *
 * KEYS: 1 the key's record (JSON { s: 'p' in flight | 'd' done, f: request fingerprint, t: claim token, r: response }).
 * ARGV: 1 fingerprint, 2 claim token, 3 how long an unfinished claim holds (ms).
 * Returns: { 'new' } (claimed: run the request), { 'mismatch' } (another request used this key),
 *   { 'busy' } (the first request is still running), or { 'done', response JSON }.
 */
const beginLua = `
local raw = redis.call('GET', KEYS[1])
if not raw then
  redis.call('SET', KEYS[1], cjson.encode({ s = 'p', f = ARGV[1], t = ARGV[2] }), 'PX', ARGV[3])
  return { 'new' }
end
local ok, record = pcall(cjson.decode, raw)
if not ok or type(record) ~= 'table' or type(record.f) ~= 'string' then
  redis.call('SET', KEYS[1], cjson.encode({ s = 'p', f = ARGV[1], t = ARGV[2] }), 'PX', ARGV[3])
  return { 'new' }
end
if record.f ~= ARGV[1] then return { 'mismatch' } end
if record.s ~= 'd' then return { 'busy' } end
return { 'done', record.r }
`

export type BeginOutcome =
  | { kind: 'new' }
  | { kind: 'mismatch' }
  | { kind: 'busy' }
  | { kind: 'done'; response: string }

export const beginScript = defineKeyScript<BeginOutcome>({
  name: 'idempotency:begin',
  lua: beginLua,
  local: (record, key, redis, [fingerprint = '', token = '', hold = '0']) => {
    if (!record) {
      redis.call('SET', key, JSON.stringify({ s: 'p', f: fingerprint, t: token }), 'PX', hold)
      return ['new']
    }
    if (record.f !== fingerprint) return ['mismatch']
    if (record.s !== 'd') return ['busy']
    return ['done', String(record.r ?? '')]
  },
  parse: (reply) => {
    const [kind, response] = Array.isArray(reply) ? reply : []
    if (kind === 'done') return { kind, response: String(response ?? '') }
    if (kind === 'mismatch' || kind === 'busy') return { kind }
    return { kind: 'new' }
  },
})
