import { asError } from './errors.js'

/**
 * RESP2 reply (as ioredis `callBuffer` gives it with `stringNumbers: true`) → JSON text.
 *
 * - Buffer (bulk or simple string): UTF-8 text, or base64 of the raw bytes with `Upstash-Encoding: base64`.
 *   A bare top-level `OK` stays `"OK"` (Upstash's documented exception; the client decodes both forms).
 *   Inside arrays every string is encoded, `OK` included, because the client decodes array items
 *   without the exception.
 * - JS string: an integer reply's digits, written verbatim (no precision loss above 2^53).
 * - null: null. Array: JSON array, recursively. Error inside an array: its message as a plain string.
 */
export type RedisReply = Buffer | string | number | null | Error | RedisReply[]

const OK = Buffer.from('OK')

export function replyToJson(reply: unknown, base64: boolean, topLevel = true): string {
  if (reply === null || reply === undefined) return 'null'
  if (Buffer.isBuffer(reply)) {
    if (!base64) return JSON.stringify(reply.toString('utf8'))
    if (topLevel && reply.equals(OK)) return '"OK"'
    return JSON.stringify(reply.toString('base64'))
  }
  if (typeof reply === 'string') return /^-?\d+$/.test(reply) ? reply : JSON.stringify(reply)
  if (typeof reply === 'number') return Number.isFinite(reply) ? String(reply) : 'null'
  if (Array.isArray(reply)) {
    return `[${reply.map((item) => replyToJson(item, base64, false)).join(',')}]`
  }
  const error = asError(reply)
  if (error !== undefined) return JSON.stringify(error.message)
  return 'null'
}

/** `{"result":…}` */
export function resultBody(reply: unknown, base64: boolean): string {
  return `{"result":${replyToJson(reply, base64)}}`
}

/** `{"error":"…"}` — errors are never base64-encoded. */
export function errorBody(message: string): string {
  return JSON.stringify({ error: message })
}
