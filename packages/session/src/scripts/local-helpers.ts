import type { LocalRedis, Reply } from '@rediware/redis'

/** Redis TIME in ms, as the Lua `now_ms()` computes it. */
export function localNow(redis: LocalRedis): number {
  const reply = redis.call('TIME')
  if (!Array.isArray(reply)) throw new Error('TIME did not return an array')
  const [seconds, micros] = reply as readonly Reply[]
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
}

export function localGet(redis: LocalRedis, key: string): string | null {
  const reply = redis.call('GET', key)
  return typeof reply === 'string' ? reply : null
}

/**
 * The `read_value` Lua helper: a key holding another type than a string is deleted and reported as
 * corrupt instead of failing with WRONGTYPE.
 */
export function localRead(redis: LocalRedis, key: string): { value: string | null; corrupt: boolean } {
  try {
    return { value: localGet(redis, key), corrupt: false }
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('WRONGTYPE')) throw error
    redis.call('DEL', key)
    return { value: null, corrupt: true }
  }
}

export const int = (value: string | undefined): number => {
  const parsed = Number(value)
  return Number.isFinite(parsed) ? Math.trunc(parsed) : 0
}

export function asArray(reply: Reply): readonly Reply[] {
  if (!Array.isArray(reply)) throw new TypeError(`script reply is not an array: ${String(reply)}`)
  return reply as readonly Reply[]
}

export const asText = (reply: Reply | undefined): string =>
  typeof reply === 'string'
    ? reply
    : Buffer.isBuffer(reply)
      ? reply.toString('utf8')
      : reply == null
        ? ''
        : String(reply)
