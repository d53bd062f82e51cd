import { ServerReplyError } from '../transport.js'
import type { Arg, Reply } from '../types.js'
import type { Keyspace, StoredValue } from './keyspace.js'

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value'
export const NOT_INTEGER = 'ERR value is not an integer or out of range'
export const SYNTAX = 'ERR syntax error'

/** One command of the memory backend: its arguments in, its reply out (bulk replies as Buffers). */
export type Handler = (space: Keyspace, args: readonly Arg[]) => Reply

export const text = (arg: Arg | undefined): string => {
  if (arg === undefined) throw new ServerReplyError('ERR wrong number of arguments')
  return Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg)
}
export const bytes = (arg: Arg | undefined): Buffer => {
  if (arg === undefined) throw new ServerReplyError('ERR wrong number of arguments')
  return Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8')
}
export function integer(arg: Arg | undefined): number {
  const value = text(arg)
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new ServerReplyError(NOT_INTEGER)
  return Number(value)
}
export function float(arg: Arg | undefined): number {
  const value = text(arg).toLowerCase()
  if (value === 'inf' || value === '+inf') return Number.POSITIVE_INFINITY
  if (value === '-inf') return Number.NEGATIVE_INFINITY
  const parsed = Number(value)
  if (value.trim() === '' || Number.isNaN(parsed)) throw new ServerReplyError('ERR value is not a valid float')
  return parsed
}

export function typed<T extends StoredValue['type']>(
  space: Keyspace,
  key: string,
  type: T,
): Extract<StoredValue, { type: T }> | undefined {
  const data = space.get(key)
  if (data === undefined) return undefined
  if (data.type !== type) throw new ServerReplyError(WRONGTYPE)
  return data as Extract<StoredValue, { type: T }>
}

type CollectionType = 'hash' | 'set' | 'zset'
type CollectionOf<T extends CollectionType> = Extract<StoredValue, { type: T }>['value']

/** The collection at `key`, stored empty first when the key does not exist (HSET, SADD, ZADD). */
export function collectionAt<T extends CollectionType>(
  space: Keyspace,
  key: string,
  type: T,
  empty: () => CollectionOf<T>,
): CollectionOf<T> {
  const existing = typed(space, key, type) as { value: CollectionOf<T> } | undefined
  if (existing) return existing.value
  const value = empty()
  space.put(key, { type, value } as StoredValue)
  return value
}

/** HDEL, SREM and ZREM: deletes the named members of a collection, drops the key once it is empty. */
export function removeMembers(space: Keyspace, args: readonly Arg[], type: CollectionType): number {
  const key = text(args[0])
  const members = typed(space, key, type)?.value
  if (!members) return 0
  const removed = args.slice(1).filter((member) => members.delete(text(member))).length
  space.dropIfEmpty(key)
  return removed
}

export const keysOf = (args: readonly Arg[]): string[] => args.map(text)
