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
    return {
      meta: { created: Number(raw[1]), idle: Number(raw[2]), user: raw[3] ?? '' },
      payload: value.slice(raw[0].length),
    }
  }
  return { meta: undefined, payload: value }
}

/**
 * The two fixed parts of a stored value around its creation time: `head + created + tail` is what
 * `encodeStored` returns. The write script gets these and only adds the creation time it decides,
 * so Lua never copies or re-scans the payload.
 */
export function encodeParts(payload: string, idle: number, user: string): { head: string; tail: string } {
  const rest = `.${Math.trunc(idle)}.${user}`
  if (payload.startsWith('{')) {
    const body = payload.slice(1).trimStart()
    return { head: '{"__rw":"', tail: body.startsWith('}') ? `${rest}"}` : `${rest}",${body}` }
  }
  return { head: '~rw1|', tail: `${rest}|${payload}` }
}

export function encodeStored(payload: string, meta: StoredMeta): string {
  const { head, tail } = encodeParts(payload, meta.idle, meta.user)
  return `${head}${Math.trunc(meta.created)}${tail}`
}

// Lua helpers, one per string so each script declares only the ones it calls (every `local
// function` is a closure built again on each call).

export const luaNow = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(n) return string.format('%.0f', n) end
`

/**
 * GET that treats a key of another type (hash, list, set, zset, stream) as corrupt data: it is
 * deleted and reported (second result true) instead of failing the whole script with WRONGTYPE.
 */
export const luaReadValue = `
local function read_value(key)
  local v = redis.pcall('GET', key)
  if type(v) == 'table' and v.err then
    if not string.find(v.err, 'WRONGTYPE', 1, true) then return redis.call('GET', key), false end
    redis.call('DEL', key)
    return false, true
  end
  return v, false
end
`

/**
 * The header's created, idle and user as strings (nil when the value has none), without copying
 * the payload. Strings, because Lua's number-to-string conversion costs as much as a Redis call:
 * the scripts pass them on as they are and convert only what they compute with.
 */
export const luaDecodeMeta = `
local function decode_meta(v)
  local c, i, u = string.match(v, '^{"__rw":"(%d+)%.(%d+)%.([%w_%-]*)"[,}]')
  if not c then return string.match(v, '^~rw1|(%d+)%.(%d+)%.([%w_%-]*)|') end
  return c, i, u
end
`

/** Full decode (with the payload) and encode, for the scripts that rewrite a value's header. */
export const luaStoredValue = `${luaNow}${luaReadValue}
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
