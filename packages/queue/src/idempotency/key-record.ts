import { defineScript, type LocalRedis, type Reply, type Script } from '@rediware/redis'

/** An idempotency key's record: { s: 'p' in flight | 'd' done, f: request fingerprint, t: claim token, r: response }. */
export interface KeyRecord {
  s?: unknown
  f?: unknown
  t?: unknown
  r?: unknown
}

function readRecord(raw: Reply): KeyRecord | undefined {
  if (typeof raw !== 'string') return undefined
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === 'object' && value !== null && typeof (value as KeyRecord).f === 'string'
      ? (value as KeyRecord)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * A script over one idempotency key whose TypeScript twin starts from the key's record (absent or
 * unreadable: `undefined`, as the Lua's pcall reads it).
 */
export function defineKeyScript<T>(definition: {
  name: string
  lua: string
  local: (record: KeyRecord | undefined, key: string, redis: LocalRedis, args: readonly string[]) => Reply
  parse: (reply: Reply) => T
}): Script<T> {
  return defineScript<T>({
    name: definition.name,
    keys: 1,
    lua: definition.lua,
    local: (redis, [key = ''], args) => definition.local(readRecord(redis.call('GET', key)), key, redis, args),
    parse: definition.parse,
  })
}
