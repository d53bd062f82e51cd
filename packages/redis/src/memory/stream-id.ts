import { ServerReplyError } from '../transport.js'

/** A stream entry id, `<ms>-<seq>`, as two unsigned 64-bit integers. */
export interface StreamId {
  readonly ms: bigint
  readonly seq: bigint
}

export const MAX_U64 = 2n ** 64n - 1n
export const ZERO_ID: StreamId = { ms: 0n, seq: 0n }
const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument'

export const compareIds = (a: StreamId, b: StreamId): number =>
  a.ms === b.ms ? (a.seq === b.seq ? 0 : a.seq < b.seq ? -1 : 1) : a.ms < b.ms ? -1 : 1

export const formatId = (id: StreamId): string => `${id.ms}-${id.seq}`

function u64(text: string): bigint {
  if (!/^\d{1,20}$/.test(text)) throw new ServerReplyError(INVALID_ID)
  const value = BigInt(text)
  if (value > MAX_U64) throw new ServerReplyError(INVALID_ID)
  return value
}

/**
 * Parses `<ms>-<seq>` or `<ms>` (the sequence then defaults to `missingSeq`: 0 for a start, the
 * largest for an end), as Redis does for XRANGE bounds and XADD/XTRIM ids.
 */
export function parseId(text: string, missingSeq: bigint = 0n): StreamId {
  const dash = text.indexOf('-')
  if (dash === -1) return { ms: u64(text), seq: missingSeq }
  return { ms: u64(text.slice(0, dash)), seq: u64(text.slice(dash + 1)) }
}

/** The id right after `id` (for exclusive `(` start bounds); undefined past the largest id. */
export function nextId(id: StreamId): StreamId | undefined {
  if (id.seq < MAX_U64) return { ms: id.ms, seq: id.seq + 1n }
  if (id.ms < MAX_U64) return { ms: id.ms + 1n, seq: 0n }
  return undefined
}

/** The id right before `id` (for exclusive `(` end bounds); undefined before 0-0. */
export function previousId(id: StreamId): StreamId | undefined {
  if (id.seq > 0n) return { ms: id.ms, seq: id.seq - 1n }
  if (id.ms > 0n) return { ms: id.ms - 1n, seq: MAX_U64 }
  return undefined
}

/**
 * An XRANGE/XREVRANGE bound: `-`, `+`, `<id>` or `(<id>` (exclusive), as the inclusive id it stands
 * for. An exclusive bound past the last possible id throws Redis' "invalid start/end ID" error.
 */
export function parseBound(text: string, side: 'start' | 'end'): StreamId {
  if (text === '-') return ZERO_ID
  if (text === '+') return { ms: MAX_U64, seq: MAX_U64 }
  const exclusive = text.startsWith('(')
  const id = parseId(exclusive ? text.slice(1) : text, side === 'start' ? 0n : MAX_U64)
  if (!exclusive) return id
  const moved = side === 'start' ? nextId(id) : previousId(id)
  if (!moved) throw new ServerReplyError(`ERR invalid ${side} ID for the interval`)
  return moved
}
