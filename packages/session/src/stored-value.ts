/**
 * How a session is stored at `<prefix><sid>`.
 *
 * connect-redis stores the serializer's output as is (`{"cookie":{…},…}`); we read that unchanged.
 * We write the same JSON with one extra first property, `"__rw":"<createdMs>.<idleMs>.<userKey>"`,
 * so the read script can enforce the absolute timeout and slide the TTL without parsing JSON, and
 * connect-redis can still read the value (it sees one more string field). A serializer whose output
 * does not start with `{` gets a `~rw1|<createdMs>.<idleMs>.<userKey>|` header instead.
 */
export interface StoredMeta {
  /** Creation time, Redis clock, Unix ms. */
  created: number
  /** Idle time-to-live the session slides by, ms (0: does not slide). */
  idle: number
  /** Hashed user id of the per-user index this session is in ('' when none). */
  user: string
}

export interface StoredValue {
  meta: StoredMeta | undefined
  payload: string
}

const jsonHeader = /^\{"__rw":"(\d+)\.(\d+)\.([A-Za-z0-9_-]*)"(,|\})/
const rawHeader = /^~rw1\|(\d+)\.(\d+)\.([A-Za-z0-9_-]*)\|/

export function decodeStored(value: string): StoredValue {
  const json = jsonHeader.exec(value)
  if (json) {
    const meta = { created: Number(json[1]), idle: Number(json[2]), user: json[3] ?? '' }
    const rest = value.slice(json[0].length)
    return { meta, payload: json[4] === '}' ? '{}' : `{${rest}` }
  }
  const raw = rawHeader.exec(value)
  if (raw) {
    return { meta: { created: Number(raw[1]), idle: Number(raw[2]), user: raw[3] ?? '' }, payload: value.slice(raw[0].length) }
  }
  return { meta: undefined, payload: value }
}

export function encodeStored(payload: string, meta: StoredMeta): string {
  const tag = `${Math.trunc(meta.created)}.${Math.trunc(meta.idle)}.${meta.user}`
  if (payload.startsWith('{')) {
    const rest = payload.slice(1).trimStart()
    return rest.startsWith('}') ? `{"__rw":"${tag}"}` : `{"__rw":"${tag}",${rest}`
  }
  return `~rw1|${tag}|${payload}`
}

/** The same header logic in Lua, shared by every script. */
export const luaStoredValue = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.0f', n) end
-- GET that treats a key of another type (hash, list, set, zset, stream) as corrupt data: it is
-- deleted and reported (second result true) instead of failing the whole script with WRONGTYPE.
local function read_value(key)
  local v = redis.pcall('GET', key)
  if type(v) == 'table' and v.err then
    if not string.find(v.err, 'WRONGTYPE', 1, true) then return redis.call('GET', key), false end
    redis.call('DEL', key)
    return false, true
  end
  return v, false
end
local function decode(v)
  local c, i, u, sep = string.match(v, '^{"__rw":"(%d+)%.(%d+)%.([%w_%-]*)"([,}])')
  if c then
    local hl = 9 + #c + 1 + #i + 1 + #u + 1
    local payload
    if sep == '}' then payload = '{}' else payload = '{' .. string.sub(v, hl + 2) end
    return tonumber(c), tonumber(i), u, payload
  end
  c, i, u = string.match(v, '^~rw1|(%d+)%.(%d+)%.([%w_%-]*)|')
  if c then
    local hl = 5 + #c + 1 + #i + 1 + #u + 1
    return tonumber(c), tonumber(i), u, string.sub(v, hl + 1)
  end
  return nil, nil, nil, v
end
local function encode(payload, c, i, u)
  local tag = fmt(c) .. '.' .. fmt(i) .. '.' .. u
  if string.sub(payload, 1, 1) == '{' then
    local rest = string.gsub(string.sub(payload, 2), '^%s+', '')
    if string.sub(rest, 1, 1) == '}' then return '{"__rw":"' .. tag .. '"}' end
    return '{"__rw":"' .. tag .. '",' .. rest
  end
  return '~rw1|' .. tag .. '|' .. payload
end
`
