import { ServerReplyError } from '../../transport.js'
import type { Arg, Reply } from '../../types.js'
import { float, type Handler, integer, SYNTAX, text, typed, removeMembers, collectionAt } from '../args.js'
import type { Keyspace } from '../keyspace.js'

const zsetOf = (space: Keyspace, key: string) => collectionAt(space, key, 'zset', () => new Map<string, number>())

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

/** ZRANGE key start stop [WITHSCORES] by rank, and ZREVRANGE (highest score first). */
function rangeByRank(space: Keyspace, args: readonly Arg[], reverse: boolean): Reply {
  const zset = typed(space, text(args[0]), 'zset')?.value
  let start = integer(args[1])
  let stop = integer(args[2])
  const options = args.slice(3).map((arg) => text(arg).toUpperCase())
  if (options.some((option) => option !== 'WITHSCORES')) throw new ServerReplyError(SYNTAX)
  if (!zset) return []
  const members = sortedMembers(zset)
  if (reverse) members.reverse()
  const length = members.length
  if (start < 0) start = Math.max(0, length + start)
  if (stop < 0) stop = length + stop
  const withScores = options.length > 0
  return members
    .slice(start, stop + 1)
    .flatMap(([member, score]) => (withScores ? [member, formatScore(score)] : [member]))
}

export const zsetsCommands: Readonly<Record<string, Handler>> = {
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
  ZREM: (space, args) => removeMembers(space, args, 'zset'),
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
  ZRANGE: (space, args) => rangeByRank(space, args, false),
  ZREVRANGE: (space, args) => rangeByRank(space, args, true),
  ZPOPMIN: (space, args) => {
    const key = text(args[0])
    const zset = typed(space, key, 'zset')?.value
    const count = args.length > 1 ? integer(args[1]) : 1
    if (count < 0) throw new ServerReplyError('ERR value is out of range, must be positive')
    if (!zset) return []
    const popped = sortedMembers(zset).slice(0, count)
    for (const [member] of popped) zset.delete(member)
    space.dropIfEmpty(key)
    return popped.flatMap(([member, score]) => [member, formatScore(score)])
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
}
