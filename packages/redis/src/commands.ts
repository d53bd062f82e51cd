import {
  asInteger,
  asNullableBuffer,
  asNullableNumber,
  asNullableString,
  asNullableStringArray,
  asRecord,
  asStreamEntries,
  asString,
  asStringArray,
  isOk,
} from './reply.js'
import { scriptCommand } from './script.js'
import type {
  Arg,
  Command,
  ExpireOptions,
  RangeByScoreOptions,
  Reply,
  ScoredMember,
  Script,
  SetOptions,
  StreamTrim,
  XAddOptions,
} from './types.js'

const identity = (reply: Reply): Reply => reply

function command<T>(
  name: string,
  args: readonly Arg[],
  keyIndexes: readonly number[],
  parse: (reply: Reply) => T,
  wantsBuffers = false,
): Command<T> {
  return { name, args, keyIndexes, parse, wantsBuffers }
}

const toKeyList = (keys: string | readonly string[]): readonly string[] => (typeof keys === 'string' ? [keys] : keys)
const indexes = (count: number, offset = 0): number[] => Array.from({ length: count }, (_, index) => index + offset)

function setArgs(key: string, value: string | Buffer, options: SetOptions = {}, get = false): Arg[] {
  const args: Arg[] = [key, value]
  if (options.px !== undefined) args.push('PX', Math.max(1, Math.ceil(options.px)))
  if (options.pxat !== undefined) args.push('PXAT', Math.ceil(options.pxat))
  if (options.keepTtl) args.push('KEEPTTL')
  if (options.nx) args.push('NX')
  if (options.xx) args.push('XX')
  if (get) args.push('GET')
  return args
}

function expireFlags(options: ExpireOptions = {}): Arg[] {
  const flags: Arg[] = []
  if (options.nx) flags.push('NX')
  if (options.xx) flags.push('XX')
  if (options.gt) flags.push('GT')
  if (options.lt) flags.push('LT')
  return flags
}

/** `MAXLEN|MINID [~|=] threshold [LIMIT n]`. */
function trimArgs(trim: StreamTrim): Arg[] {
  const approximate = trim.approximate ?? true
  const args: Arg[] =
    trim.maxLen !== undefined
      ? ['MAXLEN', approximate ? '~' : '=', trim.maxLen]
      : ['MINID', approximate ? '~' : '=', trim.minId]
  if (trim.limit !== undefined && approximate) args.push('LIMIT', trim.limit)
  return args
}

function xaddArgs(key: string, fields: Readonly<Record<string, string | Buffer>>, options: XAddOptions = {}): Arg[] {
  const args: Arg[] = [key]
  if (options.noMkStream) args.push('NOMKSTREAM')
  if (options.trim) args.push(...trimArgs(options.trim))
  args.push(options.id ?? '*')
  for (const [field, value] of Object.entries(fields)) args.push(field, value)
  return args
}

const countArgs = (count: number | undefined): Arg[] => (count === undefined ? [] : ['COUNT', count])

/**
 * Builders for every command the client speaks. They are what `RedisClient` methods run, and what
 * `batch()` takes: `client.batch([commands.get('a'), commands.pttl('a')])`.
 */
export const commands = {
  get: (key: string) => command('GET', [key], [0], asNullableString),
  getBuffer: (key: string) => command('GET', [key], [0], asNullableBuffer, true),
  set: (key: string, value: string | Buffer, options?: SetOptions) =>
    command('SET', setArgs(key, value, options), [0], isOk),
  setGet: (key: string, value: string | Buffer, options?: SetOptions) =>
    command('SET', setArgs(key, value, options, true), [0], asNullableString),
  mget: (keys: readonly string[]) => command('MGET', [...keys], indexes(keys.length), asNullableStringArray),
  del: (keys: string | readonly string[]) =>
    command('DEL', [...toKeyList(keys)], indexes(toKeyList(keys).length), asInteger),
  unlink: (keys: string | readonly string[]) =>
    command('UNLINK', [...toKeyList(keys)], indexes(toKeyList(keys).length), asInteger),
  exists: (keys: string | readonly string[]) =>
    command('EXISTS', [...toKeyList(keys)], indexes(toKeyList(keys).length), asInteger),
  incr: (key: string) => command('INCR', [key], [0], asInteger),
  incrBy: (key: string, increment: number) => command('INCRBY', [key, increment], [0], asInteger),
  pexpire: (key: string, milliseconds: number, options?: ExpireOptions) =>
    command('PEXPIRE', [key, Math.ceil(milliseconds), ...expireFlags(options)], [0], (reply) => asInteger(reply) === 1),
  pexpireAt: (key: string, unixMilliseconds: number, options?: ExpireOptions) =>
    command(
      'PEXPIREAT',
      [key, Math.ceil(unixMilliseconds), ...expireFlags(options)],
      [0],
      (reply) => asInteger(reply) === 1,
    ),
  pttl: (key: string) => command('PTTL', [key], [0], asInteger),
  hget: (key: string, field: string) => command('HGET', [key, field], [0], asNullableString),
  hmget: (key: string, fields: readonly string[]) => command('HMGET', [key, ...fields], [0], asNullableStringArray),
  hgetall: (key: string) => command('HGETALL', [key], [0], asRecord),
  hset: (key: string, fields: Readonly<Record<string, string | Buffer>>) =>
    command('HSET', [key, ...Object.entries(fields).flat()], [0], asInteger),
  hdel: (key: string, fields: readonly string[]) => command('HDEL', [key, ...fields], [0], asInteger),
  hincrBy: (key: string, field: string, increment: number) =>
    command('HINCRBY', [key, field, increment], [0], asInteger),
  zadd: (key: string, members: readonly ScoredMember[]) =>
    command('ZADD', [key, ...members.flatMap(({ score, member }) => [score, member])], [0], asInteger),
  zrem: (key: string, members: readonly string[]) => command('ZREM', [key, ...members], [0], asInteger),
  zcard: (key: string) => command('ZCARD', [key], [0], asInteger),
  zscore: (key: string, member: string) => command('ZSCORE', [key, member], [0], asNullableNumber),
  zrangeByScore: (key: string, min: number | string, max: number | string, options: RangeByScoreOptions = {}) => {
    const args: Arg[] = [key, min, max]
    if (options.withScores) args.push('WITHSCORES')
    if (options.limit) args.push('LIMIT', options.limit.offset, options.limit.count)
    return command('ZRANGEBYSCORE', args, [0], asStringArray)
  },
  zremRangeByScore: (key: string, min: number | string, max: number | string) =>
    command('ZREMRANGEBYSCORE', [key, min, max], [0], asInteger),
  sadd: (key: string, members: readonly string[]) => command('SADD', [key, ...members], [0], asInteger),
  srem: (key: string, members: readonly string[]) => command('SREM', [key, ...members], [0], asInteger),
  smembers: (key: string) => command('SMEMBERS', [key], [0], asStringArray),
  xadd: (key: string, fields: Readonly<Record<string, string | Buffer>>, options?: XAddOptions) =>
    command('XADD', xaddArgs(key, fields, options), [0], asNullableString),
  xrange: (key: string, start: string, end: string, count?: number) =>
    command('XRANGE', [key, start, end, ...countArgs(count)], [0], asStreamEntries),
  xrevrange: (key: string, end: string, start: string, count?: number) =>
    command('XREVRANGE', [key, end, start, ...countArgs(count)], [0], asStreamEntries),
  xlen: (key: string) => command('XLEN', [key], [0], asInteger),
  xtrim: (key: string, trim: StreamTrim) => command('XTRIM', [key, ...trimArgs(trim)], [0], asInteger),
  xdel: (key: string, ids: readonly string[]) => command('XDEL', [key, ...ids], [0], asInteger),
  time: () =>
    command('TIME', [], [], (reply) => {
      const [seconds, microseconds] = asStringArray(reply)
      return Number(seconds) * 1000 + Math.floor(Number(microseconds) / 1000)
    }),
  ping: () => command('PING', [], [], (reply) => void asString(reply)),
  /**
   * EVALSHA of a `defineScript` script, for a `batch`. Unlike `runScript` it has no EVAL fallback:
   * a NOSCRIPT reply comes back as the command's error.
   */
  evalsha: (script: Script<unknown>, keys: readonly string[], args: readonly Arg[]) =>
    scriptCommand('EVALSHA', script.sha, keys, args),
  /** Any other command, for what the typed builders do not cover. Keys are declared by index. */
  raw: (name: string, args: readonly Arg[], keyIndexes: readonly number[] = []) =>
    command(name, args, keyIndexes, identity),
} as const
