import type { Arg, Reply } from '../../types.js'
import { type Handler, integer, keysOf, text } from '../args.js'
import type { Keyspace } from '../keyspace.js'

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

export const keysCommands: Readonly<Record<string, Handler>> = {
  PING: () => 'PONG',
  TIME: (space) => {
    const now = space.now()
    return [String(Math.floor(now / 1000)), String((now % 1000) * 1000)]
  },
  DEL: (space, args) => keysOf(args).filter((key) => space.delete(key)).length,
  UNLINK: (space, args) => keysOf(args).filter((key) => space.delete(key)).length,
  EXISTS: (space, args) => keysOf(args).filter((key) => space.get(key) !== undefined).length,
  TYPE: (space, args) => space.get(text(args[0]))?.type ?? 'none',
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
}
