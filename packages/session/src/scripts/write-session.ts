import { createHash } from 'node:crypto'
import { defineScript, type Reply } from '@rediware/redis'
import { decodeStored, luaDecodeMeta, luaNow, luaReadValue } from '../stored-value.js'
import { asArray, asText, int, localNow, localRead } from './local-helpers.js'

/** `insert`: only when the id is free; `update`: only when the session still exists; `upsert`: either. */
export type WriteMode = 'insert' | 'update' | 'upsert'

export type WriteResult =
  /** `now`: the Redis clock (ms) when the script read it (new session or absolute deadline), else 0. */
  (
    | { kind: 'written'; created: number; previousUser: string; now: number }
    | { kind: 'exists' }
    | { kind: 'gone' }
    | { kind: 'expired'; previousUser: string }
    | { kind: 'conflict'; current: string }
  ) & {
    /** The key held another type than a string (a hash, list, set…): it was deleted as corrupt data first. */
    corrupt: boolean
  }

/** SHA-1 of a stored value, as Lua's `redis.sha1hex` computes it. */
export const sha1 = (value: string): string => createHash('sha1').update(value, 'utf8').digest('hex')

const modeCode: Record<WriteMode, string> = { insert: 'i', update: 'u', upsert: 'a' }

/** What a write needs besides the value's parts: `absoluteMs`, `created` and `check` default to 0, 0 and ''. */
export interface WriteCall {
  mode: WriteMode
  ttlMs: number
  absoluteMs: number
  created: number
  check: string
}

/** The script's ARGV, trailing defaults left out. */
export function writeArgs(head: string, tail: string, call: WriteCall): (string | number)[] {
  const args: (string | number)[] = [head, tail, modeCode[call.mode], call.ttlMs]
  if (call.check !== '') args.push(call.absoluteMs, call.created, call.check)
  else if (call.created !== 0) args.push(call.absoluteMs, call.created)
  else if (call.absoluteMs !== 0) args.push(call.absoluteMs)
  return args
}

/**
 * Writes a session with its metadata header, refusing to resurrect a destroyed session (`update`)
 * or to overwrite an existing one (`insert`). Keeps the creation time of an existing session.
 * KEYS: session key. ARGV: head and tail of the value (`encodeParts`; the script puts the creation
 * time between them), mode (i/u/a), ttlMs (0 = no TTL), then optional: absoluteMs (0 = none),
 * created (0 = keep or now), expected SHA-1 of the stored value ('' = no check; update only).
 * Trailing defaults are left out (`writeArgs`): every argument costs Redis a string and a table slot.
 * A key holding another type than a string is deleted first and then counts as missing.
 * Reply: {status, created, previousUser, now, corrupt (1/0)}; status 1 written, 0 exists, -1 gone,
 * -2 expired; {2, current} when the stored value is not the one expected (a concurrent write: merge
 * and retry). A plain write (no previous user, clock not read, nothing corrupt) replies with the
 * creation time alone: converting a table reply costs Redis more than the rest of the write.
 * The clock is read only when it is needed (a new creation time or an absolute deadline); `now` is
 * 0 otherwise.
 */
export const writeSession = defineScript<WriteResult>({
  name: 'session-write',
  keys: 1,
  lua: `${luaNow}${luaReadValue}${luaDecodeMeta}
local cur, bad = read_value(KEYS[1])
local w = 0
if bad then w = 1 end
local mode = ARGV[3]
if mode == 'i' and cur then return { 0, 0, '', 0, w } end
if mode == 'u' and not cur then return { -1, 0, '', 0, w } end
local check = ARGV[7]
if mode == 'u' and check and check ~= '' and redis.sha1hex(cur) ~= check then return { 2, cur } end
local ttl = tonumber(ARGV[4])
local abs = 0
if ARGV[5] and ARGV[5] ~= '0' then abs = tonumber(ARGV[5]) end
local cs = ARGV[6] or '0'
local prev = ''
if cur then
  local pc, _, pu = decode_meta(cur)
  if pc then
    prev = pu
    if cs == '0' then cs = pc end
  end
end
local now = 0
if cs == '0' or abs > 0 then now = now_ms() end
if cs == '0' then cs = fmt(now) end
local value = ARGV[1] .. cs .. ARGV[2]
if abs > 0 then
  local deadline = tonumber(cs) + abs
  if deadline <= now then
    redis.call('DEL', KEYS[1])
    return { -2, cs, prev, now, w }
  end
  local at = deadline
  if ttl > 0 and now + ttl < at then at = now + ttl end
  redis.call('SET', KEYS[1], value, 'PXAT', fmt(at))
  return { 1, cs, prev, now, w }
end
if ttl > 0 then
  redis.call('SET', KEYS[1], value, 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], value)
end
if prev == '' and now == 0 and w == 0 then return cs end
return { 1, cs, prev, now, w }
`,
  local: (redis, keys, args) => {
    const key = keys[0] ?? ''
    const { value: current, corrupt } = localRead(redis, key)
    const bad = corrupt ? 1 : 0
    const mode = args[2]
    if (mode === 'i' && current !== null) return [0, 0, '', 0, bad]
    if (mode === 'u' && current === null) return [-1, 0, '', 0, bad]
    if (mode === 'u' && current !== null && (args[6] ?? '') !== '' && sha1(current) !== args[6]) return [2, current]
    const ttl = int(args[3])
    const absolute = int(args[4])
    let created = int(args[5])
    let previous = ''
    if (current !== null) {
      const { meta } = decodeStored(current)
      if (meta) {
        previous = meta.user
        if (created === 0) created = meta.created
      }
    }
    const now = created === 0 || absolute > 0 ? localNow(redis) : 0
    if (created === 0) created = now
    const value = `${args[0] ?? ''}${created}${args[1] ?? ''}`
    if (absolute > 0) {
      const deadline = created + absolute
      if (deadline <= now) {
        redis.call('DEL', key)
        return [-2, String(created), previous, String(now), bad]
      }
      redis.call('SET', key, value, 'PXAT', ttl > 0 ? Math.min(now + ttl, deadline) : deadline)
    } else if (ttl > 0) redis.call('SET', key, value, 'PX', ttl)
    else redis.call('SET', key, value)
    if (previous === '' && now === 0 && bad === 0) return String(created)
    return [1, String(created), previous, String(now), bad]
  },
  parse: (reply: Reply): WriteResult => {
    if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
      return { kind: 'written', created: Number(asText(reply)), previousUser: '', now: 0, corrupt: false }
    }
    const [status, created, previous, now, bad] = asArray(reply)
    if (Number(status) === 2) return { kind: 'conflict', current: asText(created), corrupt: false }
    const corrupt = Number(bad) === 1
    switch (Number(status)) {
      case 1:
        return {
          kind: 'written',
          created: Number(asText(created)),
          previousUser: asText(previous),
          now: Number(asText(now)),
          corrupt,
        }
      case 0:
        return { kind: 'exists', corrupt }
      case -1:
        return { kind: 'gone', corrupt }
      default:
        return { kind: 'expired', previousUser: asText(previous), corrupt }
    }
  },
})
