import { defineScript, type Reply } from '@rediware/redis'
import { decodeStored, luaDecodeMeta, luaReadValue } from '../stored-value.js'
import { asText, localRead } from './local-helpers.js'

export type DestroyResult = { kind: 'missing' } | { kind: 'corrupt' } | { kind: 'destroyed'; user: string }

/**
 * Deletes a session and returns the user index it was in ('' when none), so the caller can drop it
 * from that index. Reply: the user key, nil when it did not exist, 2 when the key held another type
 * than a string (deleted as corrupt data).
 */
export const destroySession = defineScript<DestroyResult>({
  name: 'session-destroy',
  keys: 1,
  lua: `${luaReadValue}${luaDecodeMeta}
local v, bad = read_value(KEYS[1])
if bad then return 2 end
if not v then return false end
redis.call('DEL', KEYS[1])
local _, _, u = decode_meta(v)
if u then return u end
return ''
`,
  local: (redis, keys) => {
    const key = keys[0] ?? ''
    const { value, corrupt } = localRead(redis, key)
    if (corrupt) return 2
    if (value === null) return null
    redis.call('DEL', key)
    return decodeStored(value).meta?.user ?? ''
  },
  parse: (reply: Reply): DestroyResult =>
    reply === null
      ? { kind: 'missing' }
      : reply === 2
        ? { kind: 'corrupt' }
        : { kind: 'destroyed', user: asText(reply) },
})
