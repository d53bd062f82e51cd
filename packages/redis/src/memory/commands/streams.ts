import { ServerReplyError } from '../../transport.js'
import type { Arg, Reply } from '../../types.js'
import { bytes, type Handler, integer, SYNTAX, text, typed } from '../args.js'
import type { Keyspace, MemoryStream, MemoryStreamEntry } from '../keyspace.js'
import { compareIds, formatId, MAX_U64, parseBound, parseId, type StreamId, ZERO_ID } from '../stream-id.js'

interface Trim {
  strategy: 'MAXLEN' | 'MINID'
  threshold: string
  /** At most this many entries removed (0: no limit). Only with `~`, as in Redis. */
  limit: number
}

/** Reads `MAXLEN|MINID [=|~] threshold [LIMIT count]` at `args[index]`; returns the next index. */
function readTrim(args: readonly Arg[], index: number, into: { trim?: Trim }): number {
  const strategy = text(args[index]).toUpperCase() as Trim['strategy']
  let at = index + 1
  let approximate = false
  const mark = text(args[at])
  if (mark === '~' || mark === '=') {
    approximate = mark === '~'
    at += 1
  }
  const threshold = text(args[at])
  at += 1
  let limit = 0
  if (at < args.length && text(args[at]).toUpperCase() === 'LIMIT') {
    if (!approximate) throw new ServerReplyError('ERR syntax error, LIMIT cannot be used without the special ~ option')
    limit = integer(args[at + 1])
    at += 2
  }
  if (strategy === 'MAXLEN' && integer(threshold) < 0) {
    throw new ServerReplyError('ERR The MAXLEN argument must be >= 0.')
  }
  if (strategy === 'MINID') parseId(threshold)
  into.trim = { strategy, threshold, limit }
  return at
}

/** Removes entries from the head; approximate trimming is done exactly (it may remove less on Redis). */
function applyTrim(stream: MemoryStream, trim: Trim): number {
  let excess: number
  if (trim.strategy === 'MAXLEN') excess = Math.max(0, stream.entries.length - Number(trim.threshold))
  else {
    const min = parseId(trim.threshold)
    excess = stream.entries.findIndex((entry) => compareIds(entry.id, min) >= 0)
    if (excess === -1) excess = stream.entries.length
  }
  if (trim.limit > 0) excess = Math.min(excess, trim.limit)
  if (excess > 0) stream.entries.splice(0, excess)
  return excess
}

function nextAutoId(stream: MemoryStream, now: number, explicitMs?: bigint): StreamId {
  const last = stream.lastId
  const ms = explicitMs ?? (BigInt(now) > last.ms ? BigInt(now) : last.ms)
  if (ms === last.ms) {
    if (last.seq === MAX_U64)
      throw new ServerReplyError('ERR The stream has exhausted the last possible ID, unable to add more items')
    return { ms, seq: last.seq + 1n }
  }
  return { ms, seq: 0n }
}

function newId(stream: MemoryStream, spec: string, now: number): StreamId {
  if (spec === '*') return nextAutoId(stream, now)
  const autoSeq = spec.endsWith('-*')
  const id = autoSeq ? { ms: parseId(spec.slice(0, -2)).ms, seq: 0n } : parseId(spec)
  if (compareIds(id, ZERO_ID) === 0 && !autoSeq)
    throw new ServerReplyError('ERR The ID specified in XADD must be greater than 0-0')
  if (autoSeq && id.ms === stream.lastId.ms) return nextAutoId(stream, now, id.ms)
  if (compareIds(id, stream.lastId) <= 0) {
    throw new ServerReplyError('ERR The ID specified in XADD is equal or smaller than the target stream top item')
  }
  return id
}

function xadd(space: Keyspace, args: readonly Arg[]): Reply {
  const key = text(args[0])
  let index = 1
  let noMkStream = false
  const options: { trim?: Trim } = {}
  for (;;) {
    const word = text(args[index]).toUpperCase()
    if (word === 'NOMKSTREAM') {
      noMkStream = true
      index += 1
    } else if (word === 'MAXLEN' || word === 'MINID') index = readTrim(args, index, options)
    else break
  }
  const spec = text(args[index])
  const pairs = args.slice(index + 1)
  if (pairs.length === 0 || pairs.length % 2 !== 0)
    throw new ServerReplyError("ERR wrong number of arguments for 'xadd' command")
  const existing = typed(space, key, 'stream')?.value
  if (!existing && noMkStream) return null
  const stream = existing ?? { entries: [], lastId: ZERO_ID }
  const id = newId(stream, spec, space.now())
  stream.entries.push({ id, fields: pairs.map(bytes) })
  stream.lastId = id
  if (!existing) space.put(key, { type: 'stream', value: stream })
  if (options.trim) applyTrim(stream, options.trim)
  return formatId(id)
}

const entryReply = (entry: MemoryStreamEntry): Reply => [formatId(entry.id), [...entry.fields]]

/** XRANGE (oldest first) and XREVRANGE (newest first): `[id, [field, value, …]]` per entry. */
function range(space: Keyspace, args: readonly Arg[], reverse: boolean): Reply {
  const stream = typed(space, text(args[0]), 'stream')?.value
  const start = parseBound(text(args[reverse ? 2 : 1]), 'start')
  const end = parseBound(text(args[reverse ? 1 : 2]), 'end')
  let count: number | undefined
  if (args.length > 3) {
    if (args.length !== 5 || text(args[3]).toUpperCase() !== 'COUNT') throw new ServerReplyError(SYNTAX)
    count = integer(args[4])
  }
  if (!stream) return []
  // Redis answers a nil array for COUNT 0 (or below) on an existing stream.
  if (count !== undefined && count <= 0) return null
  if (compareIds(start, end) > 0) return []
  const inRange = stream.entries.filter((entry) => compareIds(entry.id, start) >= 0 && compareIds(entry.id, end) <= 0)
  if (reverse) inRange.reverse()
  return (count === undefined ? inRange : inRange.slice(0, count)).map(entryReply)
}

export const streamsCommands: Readonly<Record<string, Handler>> = {
  XADD: xadd,
  XRANGE: (space, args) => range(space, args, false),
  XREVRANGE: (space, args) => range(space, args, true),
  XLEN: (space, args) => typed(space, text(args[0]), 'stream')?.value.entries.length ?? 0,
  XTRIM: (space, args) => {
    const options: { trim?: Trim } = {}
    const word = text(args[1]).toUpperCase()
    if (word !== 'MAXLEN' && word !== 'MINID') throw new ServerReplyError(SYNTAX)
    if (readTrim(args, 1, options) !== args.length) throw new ServerReplyError(SYNTAX)
    const stream = typed(space, text(args[0]), 'stream')?.value
    return stream && options.trim ? applyTrim(stream, options.trim) : 0
  },
  XDEL: (space, args) => {
    const stream = typed(space, text(args[0]), 'stream')?.value
    const ids = args.slice(1).map((arg) => parseId(text(arg)))
    if (!stream) return 0
    const before = stream.entries.length
    stream.entries = stream.entries.filter((entry) => !ids.some((id) => compareIds(id, entry.id) === 0))
    return before - stream.entries.length
  },
}
