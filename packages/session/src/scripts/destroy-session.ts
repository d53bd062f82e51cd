import { defineScript, type Reply } from '@rediware/redis'
import { decodeStored, luaStoredValue } from '../stored-value.js'
import { localGet } from './local-helpers.js'

/**
 * Deletes a session and returns the user index it was in ('' when none, null when it did not exist),
 * so the caller can drop it from that index.
 */
export const destroySession = defineScript<string | null>({
  name: 'session-destroy',
  keys: 1,
  lua: `${luaStoredValue}
local v = redis.call('GET', KEYS[1])
if not v then return false end
redis.call('DEL', KEYS[1])
local c, i, u = decode(v)
if u then return u end
return ''
`,
  local: (redis, keys) => {
    const key = keys[0] ?? ''
    const value = localGet(redis, key)
    if (value === null) return null
    redis.call('DEL', key)
    return decodeStored(value).meta?.user ?? ''
  },
  parse: (reply: Reply) => (reply === null ? null : typeof reply === 'string' ? reply : String(reply)),
})
