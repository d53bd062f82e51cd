import { ServerReplyError } from '../transport.js'
import type { Arg, Reply } from '../types.js'
import type { Keyspace, StoredValue } from './keyspace.js'

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
const NOT_INTEGER = 'ERR value is not an integer or out of range'
const SYNTAX = 'ERR syntax error'

type Handler = (space: Keyspace, args: readonly Arg[]) => Reply

const text = (arg: Arg | undefined): string => {
  if (arg === undefined) throw new ServerReplyError("ERR wrong number of arguments")
  return Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg)
}
const bytes = (arg: Arg | undefined): Buffer => {
  if (arg === undefined) throw new ServerReplyError("ERR wrong number of arguments")
  return Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8')
}
function integer(arg: Arg | undefined): number {
  const value = text(arg)
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new ServerReplyError(NOT_INTEGER)
  return Number(value)
}
function float(arg: Arg | undefined): number {
  const value = text(arg).toLowerCase()
  if (value === 'inf' || value === '+inf') return Number.POSITIVE_INFINITY
  if (value === '-inf') return Number.NEGATIVE_INFINITY
  const parsed = Number(value)
  if (value.trim() === '' || Number.isNaN(parsed)) throw new ServerReplyError('ERR value is not a valid float')
  return parsed
}

function typed<T extends StoredValue['type']>(space: Keyspace, key: string, type: T): Extract<StoredValue, { type: T }> | undefined {
  const data = space.get(key)
  if (data === undefined) return undefined
  if (data.type !== type) throw new ServerReplyError(WRONGTYPE)
  return data as Extract<StoredValue, { type: T }>
}

function hashOf(space: Keyspace, key: string): Map<string, Buffer> {
  const existing = typed(space, key, 'hash')
  if (existing) return existing.value
  const value = new Map<string, Buffer>()
  space.put(key, { type: 'hash', value })
  return value
}

function zsetOf(space: Keyspace, key: string): Map<string, number> {
  const existing = typed(space, key, 'zset')
  if (existing) return existing.value
  const value = new Map<string, number>()
  space.put(key, { type: 'zset', value })
  return value
}

function setOf(space: Keyspace, key: string): Set<string> {
  const existing = typed(space, key, 'set')
  if (existing) return existing.value
  const value = new Set<string>()
  space.put(key, { type: 'set', value })
  return value
}

function incrementBy(space: Keyspace, key: string, by: number): number {
  const current = typed(space, key, 'string')
  const value = current ? integer(current.value.toString('utf8')) : 0
  const next = value + by
  if (!Number.isSafeInteger(next)) throw new ServerReplyError('ERR increment or decrement would overflow')
  space.put(key, { type: 'string', value: Buffer.from(String(next)) }, 'keep')
  return next
}

function set(space: Keyspace, args: readonly Arg[]): Reply {
  const key = text(args[0])
  const value = bytes(args[1])
  let expiresAt: number | undefined
  let keepTtl = false
  let nx = false
  let xx = false
  let get = false
  for (let index = 2; index < args.length; index += 1) {
    const option = text(args[index]).toUpperCase()
    if (option === 'PX') expiresAt = space.now() + positive(args[++index])
    else if (option === 'EX') expiresAt = space.now() + positive(args[++index]) * 1000
    else if (option === 'PXAT') expiresAt = positive(args[++index])
    else if (option === 'NX') nx = true
    else if (option === 'XX') xx = true
    else if (option === 'GET') get = true
    else if (option === 'KEEPTTL') keepTtl = true
    else throw new ServerReplyError(SYNTAX)
  }
  const existing = space.get(key)
  if (get && existing && existing.type !== 'string') throw new ServerReplyError(WRONGTYPE)
  const previous = get && existing?.type === 'string' ? existing.value : null
  const blocked = (nx && existing !== undefined) || (xx && existing === undefined)
  if (!blocked) space.put(key, { type: 'string', value }, keepTtl ? 'keep' : expiresAt)
  if (get) return previous
  return blocked ? null : 'OK'
}

function positive(arg: Arg | undefined): number {
  const value = integer(arg)
  if (value <= 0) throw new ServerReplyError('ERR invalid expire time in \'set\' command')
  return value
}

function expire(space: Keyspace, key: string, expiresAt: number, flags: readonly Arg[]): Reply {
  const current = space.expiresAt(key)
  if (space.get(key) === undefined) return 0
  const options = new Set(flags.map((flag) => text(flag).toUpperCase()))
  if (options.has('NX') && current !== undefined) return 0
  if (options.has('XX') && current === undefined) return 0
  if (options.has('GT') && (current === undefined || expiresAt <= current)) return 0
  if (options.has('LT') && current !== undefined && expiresAt >= current) return 0
  return space.setExpiry(key, expiresAt) ? 1 : 0
}

interface ScoreBound {
  value: number
  exclusive: boolean
}

function scoreBound(arg: Arg | undefined): ScoreBound {
  const raw = text(arg)
  return raw.startsWith('(') ? { value: float(raw.slice(1)), exclusive: true } : { value: float(raw), exclusive: false }
}

const within = (score: number, min: ScoreBound, max: ScoreBound): boolean =>
  (min.exclusive ? score > min.value : score >= min.value) && (max.exclusive ? score < max.value : score <= max.value)

function sortedMembers(zset: Map<string, number>): [string, number][] {
  return [...zset.entries()].sort(([memberA, scoreA], [memberB, scoreB]) =>
    scoreA === scoreB ? (memberA < memberB ? -1 : memberA > memberB ? 1 : 0) : scoreA - scoreB,
  )
}

const formatScore = (score: number): string =>
  score === Number.POSITIVE_INFINITY ? 'inf' : score === Number.NEGATIVE_INFINITY ? '-inf' : String(score)

const keysOf = (args: readonly Arg[]): string[] => args.map(text)

const handlers: Readonly<Record<string, Handler>> = {
  PING: () => 'PONG',
  TIME: (space) => {
    const now = space.now()
    return [String(Math.floor(now / 1000)), String((now % 1000) * 1000)]
  },
  GET: (space, args) => typed(space, text(args[0]), 'string')?.value ?? null,
  SET: set,
  MGET: (space, args) =>
    keysOf(args).map((key) => {
      const data = space.get(key)
      return data?.type === 'string' ? data.value : null
    }),
  DEL: (space, args) => keysOf(args).filter((key) => space.delete(key)).length,
  UNLINK: (space, args) => keysOf(args).filter((key) => space.delete(key)).length,
  EXISTS: (space, args) => keysOf(args).filter((key) => space.get(key) !== undefined).length,
  TYPE: (space, args) => space.get(text(args[0]))?.type ?? 'none',
  INCR: (space, args) => incrementBy(space, text(args[0]), 1),
  DECR: (space, args) => incrementBy(space, text(args[0]), -1),
  INCRBY: (space, args) => incrementBy(space, text(args[0]), integer(args[1])),
  DECRBY: (space, args) => incrementBy(space, text(args[0]), -integer(args[1])),
  PEXPIRE: (space, args) => expire(space, text(args[0]), space.now() + integer(args[1]), args.slice(2)),
  EXPIRE: (space, args) => expire(space, text(args[0]), space.now() + integer(args[1]) * 1000, args.slice(2)),
  PEXPIREAT: (space, args) => expire(space, text(args[0]), integer(args[1]), args.slice(2)),
  PERSIST: (space, args) => {
    const key = text(args[0])
    if (space.expiresAt(key) === undefined) return 0
    return space.setExpiry(key, undefined) ? 1 : 0
  },
  PTTL: (space, args) => {
    const key = text(args[0])
    if (space.get(key) === undefined) return -2
    const expiresAt = space.expiresAt(key)
    return expiresAt === undefined ? -1 : Math.max(0, expiresAt - space.now())
  },
  HGET: (space, args) => typed(space, text(args[0]), 'hash')?.value.get(text(args[1])) ?? null,
  HMGET: (space, args) => {
    const hash = typed(space, text(args[0]), 'hash')?.value
    return args.slice(1).map((field) => hash?.get(text(field)) ?? null)
  },
  HGETALL: (space, args) => {
    const hash = typed(space, text(args[0]), 'hash')?.value
    return hash ? [...hash.entries()].flatMap(([field, value]) => [field, value]) : []
  },
  HSET: (space, args) => {
    if (args.length < 3 || args.length % 2 === 0) throw new ServerReplyError("ERR wrong number of arguments for 'hset' command")
    const hash = hashOf(space, text(args[0]))
    let added = 0
    for (let index = 1; index < args.length; index += 2) {
      const field = text(args[index])
      if (!hash.has(field)) added += 1
      hash.set(field, bytes(args[index + 1]))
    }
    return added
  },
  HDEL: (space, args) => {
    const key = text(args[0])
    const hash = typed(space, key, 'hash')?.value
    if (!hash) return 0
    const removed = args.slice(1).filter((field) => hash.delete(text(field))).length
    space.dropIfEmpty(key)
    return removed
  },
  HEXISTS: (space, args) => (typed(space, text(args[0]), 'hash')?.value.has(text(args[1])) ? 1 : 0),
  HLEN: (space, args) => typed(space, text(args[0]), 'hash')?.value.size ?? 0,
  HINCRBY: (space, args) => {
    const hash = hashOf(space, text(args[0]))
    const field = text(args[1])
    const current = hash.get(field)
    const next = (current ? integer(current.toString('utf8')) : 0) + integer(args[2])
    hash.set(field, Buffer.from(String(next)))
    return next
  },
  ZADD: (space, args) => {
    if (args.length < 3 || args.length % 2 === 0) throw new ServerReplyError(SYNTAX)
    const pairs: [string, number][] = []
    for (let index = 1; index < args.length; index += 2) pairs.push([text(args[index + 1]), float(args[index])])
    const zset = zsetOf(space, text(args[0]))
    let added = 0
    for (const [member, score] of pairs) {
      if (!zset.has(member)) added += 1
      zset.set(member, score)
    }
    return added
  },
  ZREM: (space, args) => {
    const key = text(args[0])
    const zset = typed(space, key, 'zset')?.value
    if (!zset) return 0
    const removed = args.slice(1).filter((member) => zset.delete(text(member))).length
    space.dropIfEmpty(key)
    return removed
  },
  ZCARD: (space, args) => typed(space, text(args[0]), 'zset')?.value.size ?? 0,
  ZSCORE: (space, args) => {
    const score = typed(space, text(args[0]), 'zset')?.value.get(text(args[1]))
    return score === undefined ? null : formatScore(score)
  },
  ZRANGEBYSCORE: (space, args) => {
    const zset = typed(space, text(args[0]), 'zset')?.value
    const min = scoreBound(args[1])
    const max = scoreBound(args[2])
    let withScores = false
    let offset = 0
    let count = -1
    for (let index = 3; index < args.length; index += 1) {
      const option = text(args[index]).toUpperCase()
      if (option === 'WITHSCORES') withScores = true
      else if (option === 'LIMIT') {
        offset = integer(args[++index])
        count = integer(args[++index])
      } else throw new ServerReplyError(SYNTAX)
    }
    if (!zset) return []
    const matching = sortedMembers(zset).filter(([, score]) => within(score, min, max))
    const page = matching.slice(offset, count < 0 ? undefined : offset + count)
    return page.flatMap(([member, score]) => (withScores ? [member, formatScore(score)] : [member]))
  },
  ZRANGE: (space, args) => {
    const zset = typed(space, text(args[0]), 'zset')?.value
    if (!zset) return []
    const members = sortedMembers(zset)
    const length = members.length
    let start = integer(args[1])
    let stop = integer(args[2])
    if (start < 0) start = Math.max(0, length + start)
    if (stop < 0) stop = length + stop
    const withScores = args.slice(3).some((arg) => text(arg).toUpperCase() === 'WITHSCORES')
    return members
      .slice(start, stop + 1)
      .flatMap(([member, score]) => (withScores ? [member, formatScore(score)] : [member]))
  },
  ZREMRANGEBYSCORE: (space, args) => {
    const key = text(args[0])
    const zset = typed(space, key, 'zset')?.value
    if (!zset) return 0
    const min = scoreBound(args[1])
    const max = scoreBound(args[2])
    let removed = 0
    for (const [member, score] of [...zset.entries()]) {
      if (within(score, min, max)) {
        zset.delete(member)
        removed += 1
      }
    }
    space.dropIfEmpty(key)
    return removed
  },
  SADD: (space, args) => {
    const members = setOf(space, text(args[0]))
    let added = 0
    for (const member of args.slice(1).map(text)) {
      if (!members.has(member)) {
        members.add(member)
        added += 1
      }
    }
    return added
  },
  SREM: (space, args) => {
    const key = text(args[0])
    const members = typed(space, key, 'set')?.value
    if (!members) return 0
    const removed = args.slice(1).filter((member) => members.delete(text(member))).length
    space.dropIfEmpty(key)
    return removed
  },
  SMEMBERS: (space, args) => [...(typed(space, text(args[0]), 'set')?.value ?? [])],
  SCARD: (space, args) => typed(space, text(args[0]), 'set')?.value.size ?? 0,
  SISMEMBER: (space, args) => (typed(space, text(args[0]), 'set')?.value.has(text(args[1])) ? 1 : 0),
}

/**
 * Runs one command on the keyspace. Bulk replies are Buffers; callers convert. Throws
 * ServerReplyError with Redis' own messages for wrong types, bad numbers and unknown commands.
 */
export function execute(space: Keyspace, name: string, args: readonly Arg[]): Reply {
  const handler = handlers[name.toUpperCase()]
  if (!handler) throw new ServerReplyError(`ERR unknown command '${name}' on the memory backend`)
  return handler(space, args)
}
