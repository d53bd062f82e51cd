import { RedisClientError } from '../errors.js'
import { ServerReplyError } from '../transport.js'
import type { Command, Reply } from '../types.js'

/** RESP type codes (node-redis' `RESP_TYPES`), the same in node-redis 5 and 6. */
const RESP = { BIG_NUMBER: 40, DOUBLE: 44, SIMPLE_STRING: 43, BLOB_STRING: 36, VERBATIM_STRING: 61, SET: 126, MAP: 37 }

/**
 * RESP3 replies decoded the way RESP2 sends them: maps as flat `[field, value, …]` arrays, sets as
 * arrays, doubles and big numbers as their text. Set on every command, so a user's own
 * `withTypeMapping` does not change what the packages read.
 */
const shared = {
  [RESP.BIG_NUMBER]: String,
  [RESP.DOUBLE]: String,
  [RESP.SIMPLE_STRING]: String,
  [RESP.VERBATIM_STRING]: String,
  [RESP.SET]: Array,
  [RESP.MAP]: Array,
}
export const textMapping = Object.freeze({ ...shared, [RESP.BLOB_STRING]: String })
export const bufferMapping = Object.freeze({ ...shared, [RESP.BLOB_STRING]: Buffer })

const isScalar = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value)

function normalize(value: unknown): Reply {
  if (value === null || value === undefined) return null
  if (isScalar(value)) return value as Reply
  // RESP3 booleans (a Lua script's true/false): what RESP2 sends for them.
  if (typeof value === 'boolean') return value ? 1 : null
  if (Array.isArray(value)) return value.every(isScalar) ? (value as Reply[]) : value.map(normalize)
  throw new RedisClientError('ERR_REDIS_REPLY', `Unexpected reply type from node-redis: ${typeof value}`)
}

/**
 * A node-redis reply as the command parsers read RESP2. RESP3 sends `… WITHSCORES` as
 * `[[member, score], …]`; RESP2's flat `[member, score, …]` is restored.
 */
export function normalizeReply(command: Command<unknown>, value: unknown): Reply {
  const reply = normalize(value)
  if (Array.isArray(reply) && reply.some(Array.isArray) && command.args.includes('WITHSCORES')) {
    return reply.flatMap((item) => (Array.isArray(item) ? item : [item]))
  }
  return reply
}

/** node-redis' `ErrorReply` (and its `SimpleError`/`BlobError`), recognised without importing it. */
function isErrorReply(error: unknown): error is Error {
  if (!(error instanceof Error)) return false
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'ErrorReply') return true
  }
  return false
}

export const toServerError = (error: unknown): unknown =>
  isErrorReply(error) ? new ServerReplyError(error.message) : error
