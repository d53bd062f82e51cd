import { type Handler, text, typed, removeMembers, collectionAt } from '../args.js'
import type { Keyspace } from '../keyspace.js'

const setOf = (space: Keyspace, key: string) => collectionAt(space, key, 'set', () => new Set<string>())

export const setsCommands: Readonly<Record<string, Handler>> = {
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
  SREM: (space, args) => removeMembers(space, args, 'set'),
  SMEMBERS: (space, args) => [...(typed(space, text(args[0]), 'set')?.value ?? [])],
  SCARD: (space, args) => typed(space, text(args[0]), 'set')?.value.size ?? 0,
  SISMEMBER: (space, args) => (typed(space, text(args[0]), 'set')?.value.has(text(args[1])) ? 1 : 0),
}
