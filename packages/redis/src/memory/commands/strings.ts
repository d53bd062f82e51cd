import { ServerReplyError } from '../../transport.js'
import type { Arg, Reply } from '../../types.js'
import { bytes, type Handler, integer, keysOf, SYNTAX, text, typed, WRONGTYPE } from '../args.js'
import type { Keyspace } from '../keyspace.js'

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
  if (value <= 0) throw new ServerReplyError("ERR invalid expire time in 'set' command")
  return value
}

export const stringsCommands: Readonly<Record<string, Handler>> = {
  GET: (space, args) => typed(space, text(args[0]), 'string')?.value ?? null,
  SET: set,
  MGET: (space, args) =>
    keysOf(args).map((key) => {
      const data = space.get(key)
      return data?.type === 'string' ? data.value : null
    }),
  INCR: (space, args) => incrementBy(space, text(args[0]), 1),
  DECR: (space, args) => incrementBy(space, text(args[0]), -1),
  INCRBY: (space, args) => incrementBy(space, text(args[0]), integer(args[1])),
  DECRBY: (space, args) => incrementBy(space, text(args[0]), -integer(args[1])),
}
