import { RedisClientError } from './errors.js'
import type { Reply, StreamEntry } from './types.js'

const unexpected = (expected: string, reply: Reply): RedisClientError =>
  new RedisClientError('ERR_REDIS_REPLY', `Expected ${expected} from Redis, got ${JSON.stringify(reply)}`)

export function asString(reply: Reply): string {
  if (typeof reply === 'string') return reply
  if (Buffer.isBuffer(reply)) return reply.toString('utf8')
  if (typeof reply === 'number') return String(reply)
  throw unexpected('a string', reply)
}

export function asNullableString(reply: Reply): string | null {
  return reply === null ? null : asString(reply)
}

export function asNullableBuffer(reply: Reply): Buffer | null {
  if (reply === null) return null
  if (Buffer.isBuffer(reply)) return reply
  if (typeof reply === 'string') return Buffer.from(reply, 'utf8')
  throw unexpected('bytes', reply)
}

export function asInteger(reply: Reply): number {
  if (typeof reply === 'number' && Number.isInteger(reply)) return reply
  if (typeof reply === 'string' || Buffer.isBuffer(reply)) {
    const text = reply.toString()
    if (/^-?\d+$/.test(text)) return Number(text)
  }
  throw unexpected('an integer', reply)
}

export function asNullableNumber(reply: Reply): number | null {
  if (reply === null) return null
  const value = typeof reply === 'number' ? reply : Number(asString(reply))
  if (Number.isNaN(value)) throw unexpected('a number', reply)
  return value
}

export function asArray(reply: Reply): readonly Reply[] {
  if (Array.isArray(reply)) return reply
  throw unexpected('an array', reply)
}

export const asStringArray = (reply: Reply): string[] => asArray(reply).map(asString)

export const asNullableStringArray = (reply: Reply): (string | null)[] => asArray(reply).map(asNullableString)

/** HGETALL arrives as a flat [field, value, …] list on RESP2. */
export function asRecord(reply: Reply): Record<string, string> {
  const items = asArray(reply)
  const record: Record<string, string> = {}
  for (let index = 0; index + 1 < items.length; index += 2) {
    record[asString(items[index] ?? null)] = asString(items[index + 1] ?? null)
  }
  return record
}

export const isOk = (reply: Reply): boolean => reply !== null && asString(reply) === 'OK'

/** XRANGE/XREVRANGE: `[[id, [field, value, …]], …]` (nil for COUNT 0 reads as no entries). */
export function asStreamEntries(reply: Reply): StreamEntry[] {
  if (reply === null) return []
  return asArray(reply).map((item) => {
    const [id, fields] = asArray(item)
    return { id: asString(id ?? null), fields: asRecord(fields ?? []) }
  })
}
