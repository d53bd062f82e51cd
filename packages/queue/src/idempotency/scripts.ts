import { defineScript, type Reply } from '@rediware/redis'

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

interface Stored {
  s?: unknown
  f?: unknown
  t?: unknown
  r?: unknown
}

function readRecord(raw: Reply): Stored | undefined {
  if (typeof raw !== 'string') return undefined
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === 'object' && value !== null && typeof (value as Stored).f === 'string' ? (value as Stored) : undefined
  } catch {
    return undefined
  }
}

export type BeginOutcome = { kind: 'new' } | { kind: 'mismatch' } | { kind: 'busy' } | { kind: 'done'; response: string }

export const beginScript = defineScript<BeginOutcome>({
  name: 'idempotency:begin',
  keys: 1,
  lua: beginLua,
  local: (redis, [key = ''], [fingerprint = '', token = '', hold = '0']) => {
    const record = readRecord(redis.call('GET', key))
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

export const finishScript = defineScript<boolean>({
  name: 'idempotency:finish',
  keys: 1,
  lua: finishLua,
  local: (redis, [key = ''], [token = '', response = '', ttl = '0']) => {
    const record = readRecord(redis.call('GET', key))
    if (!record || record.t !== token || record.s !== 'p') return 0
    if (response === '') redis.call('DEL', key)
    else redis.call('SET', key, JSON.stringify({ s: 'd', f: record.f, r: response }), 'PX', ttl)
    return 1
  },
  parse: (reply) => Number(reply) === 1,
})
