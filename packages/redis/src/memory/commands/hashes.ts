import { ServerReplyError } from '../../transport.js'
import { bytes, type Handler, integer, text, typed, removeMembers, collectionAt } from '../args.js'
import type { Keyspace } from '../keyspace.js'

const hashOf = (space: Keyspace, key: string) => collectionAt(space, key, 'hash', () => new Map<string, Buffer>())

export const hashesCommands: Readonly<Record<string, Handler>> = {
  HGET: (space, args) => typed(space, text(args[0]), 'hash')?.value.get(text(args[1])) ?? null,
  HMGET: (space, args) => {
    const hash = typed(space, text(args[0]), 'hash')?.value
    return args.slice(1).map((field) => hash?.get(text(field)) ?? null)
  },
  HGETALL: (space, args) => {
    const hash = typed(space, text(args[0]), 'hash')?.value
    return hash ? [...hash.entries()].flat() : []
  },
  HSET: (space, args) => {
    if (args.length < 3 || args.length % 2 === 0)
      throw new ServerReplyError("ERR wrong number of arguments for 'hset' command")
    const hash = hashOf(space, text(args[0]))
    let added = 0
    for (let index = 1; index < args.length; index += 2) {
      const field = text(args[index])
      if (!hash.has(field)) added += 1
      hash.set(field, bytes(args[index + 1]))
    }
    return added
  },
  HDEL: (space, args) => removeMembers(space, args, 'hash'),
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
}
