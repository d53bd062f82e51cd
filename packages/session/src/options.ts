import {
  type Duration,
  describeValue,
  type OptionNames,
  parseDuration,
  type RedisClient,
  type RedisInput,
  toClient,
} from '@rediware/redis'
import type { SessionData } from 'express-session'
import { type EncryptionOptions, SessionCipher } from './session-cipher.js'

/** Turns a session into a string and back, like connect-redis' `serializer`. `parse` may be async. */
export interface Serializer {
  parse(text: string): unknown
  stringify(value: unknown): string
}

/** What the store reports: outages (once per outage), recovery, corrupt data, refused writes. */
export type SessionStoreEvent =
  | { type: 'store-unavailable'; error: Error }
  | { type: 'store-recovered' }
  | { type: 'corrupt-session'; idHash: string; error: Error }
  | { type: 'write-refused'; idHash: string; reason: 'destroyed' | 'expired' | 'exists' }
  | { type: 'background-error'; operation: string; error: Error }
  | { type: 'config-warning'; message: string }

export interface RedisStoreOptions {
  /** ioredis Redis or Cluster, @upstash/redis Redis, or a RedisClient from @rediware/redis. */
  redis: RedisInput
  /** Key prefix. Default `'sess:'` (the same as connect-redis, so existing sessions keep working). */
  prefix?: string
  /**
   * Idle time to live when the cookie has no expiry: seconds (connect-redis compatible), a duration
   * string such as `'1 d'`, or a function of the session returning seconds. Default 86400 (one day).
   */
  ttl?: number | `${number}${string}` | ((session: SessionData) => number)
  /** Do not reset the idle timer on reads and `touch()`. Default false. */
  disableTouch?: boolean
  /** Store sessions without a Redis TTL (expiry is then checked on read from `cookie.expires`). Default false. */
  disableTTL?: boolean
  /** Default `JSON`. */
  serializer?: Serializer
  /** SCAN COUNT hint and batch size for `all`, `ids`, `length`, `clear`. Default 100. */
  scanCount?: number
  /** A session dies this long after it was created, however active. Milliseconds or `'30 d'`. Default none. */
  absoluteTimeout?: Duration
  /** Returns the user a session belongs to; enables `listUserSessions`, `revokeUser`, `maxSessionsPerUser`. */
  userId?: (session: SessionData) => string | number | null | undefined
  /** With `userId`: the oldest sessions of a user beyond this many are revoked on login. Default unlimited. */
  maxSessionsPerUser?: number
  /** Prefix of the per-user index keys. Default `'sess-user:'` derived from `prefix`; must not start with `prefix`. */
  userIndexPrefix?: string
  /**
   * When Redis is unavailable: `'fail'` (default) passes a 503 error to `next()`; `'anonymous'` lets the
   * request proceed without a session (logged out) and writes nothing.
   */
  onStoreError?: 'fail' | 'anonymous'
  /**
   * Two requests that loaded the same session and both change it: `'lww'` (default) keeps the last
   * write; `'merge'` keeps both changes when they touch different top-level fields (a conflicting
   * write costs one more call).
   */
  concurrency?: 'lww' | 'merge'
  /**
   * Store sessions under `HMAC-SHA256(keySecret, sid)` instead of the id itself, so live session
   * ids never appear in Redis key names, SCAN output or backups. Turning it on (or changing it) logs
   * everyone out once; `ids()` and `all()` then return the hashed ids. Default off.
   */
  keySecret?: string | Buffer
  /** Encrypt session data at rest with AES-256-GCM: `{ keys: [current, ...older] }`. Default off. */
  encryption?: EncryptionOptions
  /** Receives store events. Default: outages and corrupt data are logged once with `console.warn`. */
  onEvent?: (event: SessionStoreEvent) => void
}

export interface ResolvedStoreOptions {
  client: RedisClient
  prefix: string
  ttlSeconds: number
  ttlFunction: ((session: SessionData) => number) | undefined
  disableTouch: boolean
  disableTTL: boolean
  serializer: Serializer
  scanCount: number
  absoluteMs: number
  userId: ((session: SessionData) => string | number | null | undefined) | undefined
  maxSessionsPerUser: number
  userIndexPrefix: string
  onStoreError: 'fail' | 'anonymous'
  concurrency: 'lww' | 'merge'
  cipher: SessionCipher | undefined
  keySecret: Buffer | undefined
  onEvent: ((event: SessionStoreEvent) => void) | undefined
}

/**
 * Every RedisStore option, checked by the compiler against `RedisStoreOptions` (a missing or unknown
 * name does not compile), plus connect-redis's `client` as an accepted alias of `redis`.
 */
const knownOptions: OptionNames<RedisStoreOptions> & { client: true } = {
  redis: true,
  client: true,
  prefix: true,
  ttl: true,
  disableTouch: true,
  disableTTL: true,
  serializer: true,
  scanCount: true,
  absoluteTimeout: true,
  userId: true,
  maxSessionsPerUser: true,
  userIndexPrefix: true,
  onStoreError: true,
  concurrency: true,
  encryption: true,
  keySecret: true,
  onEvent: true,
}

/** The RedisStore options that `session()` passes through to the store it creates. */
export const storeOptionNames: readonly string[] = Object.keys(knownOptions).filter(
  (name) => name !== 'redis' && name !== 'client',
)

function bool(value: unknown, name: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean')
    throw new TypeError(`RedisStore: ${name} must be true or false; got ${describeValue(value)}.`)
  return value
}

function optionalFunction<T>(value: unknown, name: string, hint: string): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function')
    throw new TypeError(`RedisStore: ${name} must be a function (${hint}); got ${describeValue(value)}.`)
  return value as T
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`RedisStore: ${name} must be a positive integer; got ${describeValue(value)}.`)
  }
  if (value < 1) throw new RangeError(`RedisStore: ${name} must be at least 1; got ${value}.`)
  return value
}

function ttlOption(value: unknown): { seconds: number; fn: ((session: SessionData) => number) | undefined } {
  if (value === undefined) return { seconds: 86_400, fn: undefined }
  if (typeof value === 'function') return { seconds: 86_400, fn: value as (session: SessionData) => number }
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(
        `RedisStore: ttl is in seconds (like connect-redis) and must be positive; got ${value}. Example: ttl: 86400 or ttl: '1 d'.`,
      )
    }
    return { seconds: value, fn: undefined }
  }
  if (typeof value === 'string') return { seconds: parseDuration(value, 'RedisStore: ttl') / 1000, fn: undefined }
  throw new TypeError(
    `RedisStore: ttl must be seconds (86400), a duration string ('1 d') or a function of the session returning seconds; got ${describeValue(value)}.`,
  )
}

function serializerOption(value: unknown): Serializer {
  if (value === undefined) return JSON
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(
      `RedisStore: serializer must be an object with parse(text) and stringify(value), like JSON; got ${describeValue(value)}.`,
    )
  }
  const candidate = value as Partial<Serializer>
  if (typeof candidate.parse !== 'function' || typeof candidate.stringify !== 'function') {
    throw new TypeError('RedisStore: serializer must have parse(text) and stringify(value) functions, like JSON.')
  }
  return value as Serializer
}

export function resolveStoreOptions(options: unknown): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`RedisStore: options must be an object such as { redis }; got ${describeValue(options)}.`)
  }
  const input = options as Record<string, unknown>
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(knownOptions, name)) {
      throw new TypeError(
        `RedisStore: unknown option "${name}". Known options: ${Object.keys(knownOptions)
          .filter((n) => n !== 'client')
          .join(', ')}.`,
      )
    }
  }
  const redisInput = input.redis ?? input.client
  if (redisInput === undefined) {
    throw new TypeError(
      'RedisStore: redis is required: pass an ioredis Redis or Cluster, an @upstash/redis Redis, or memoryClient() from @rediware/redis.',
    )
  }
  const client = toClient(redisInput, undefined, 'RedisStore: redis')

  const prefix = input.prefix ?? 'sess:'
  if (typeof prefix !== 'string')
    throw new TypeError(`RedisStore: prefix must be a string such as 'sess:'; got ${describeValue(prefix)}.`)
  if (/[{}]/.test(prefix)) {
    throw new TypeError(`RedisStore: prefix must not contain { or } (Redis Cluster hash tags); got "${prefix}".`)
  }

  const ttl = ttlOption(input.ttl)
  const absoluteMs =
    input.absoluteTimeout === undefined ? 0 : parseDuration(input.absoluteTimeout, 'RedisStore: absoluteTimeout')
  const userId = optionalFunction<ResolvedStoreOptions['userId']>(input.userId, 'userId', 'session => session.userId')
  const maxSessionsPerUser = positiveInteger(input.maxSessionsPerUser, 'maxSessionsPerUser', Number.POSITIVE_INFINITY)
  if (input.maxSessionsPerUser !== undefined && userId === undefined) {
    throw new TypeError(
      'RedisStore: maxSessionsPerUser needs the userId option (e.g. userId: s => s.userId) to know whose sessions to count.',
    )
  }
  const userIndexPrefix = input.userIndexPrefix ?? `${prefix.replace(/:$/, '') || 'sess'}-user:`
  if (typeof userIndexPrefix !== 'string' || userIndexPrefix === '' || /[{}]/.test(userIndexPrefix)) {
    throw new TypeError(
      `RedisStore: userIndexPrefix must be a non-empty string without { or }; got ${describeValue(userIndexPrefix)}.`,
    )
  }
  if (userId !== undefined && userIndexPrefix.startsWith(prefix)) {
    throw new RangeError(
      `RedisStore: userIndexPrefix "${userIndexPrefix}" starts with prefix "${prefix}", so index keys would be listed as sessions. Choose another userIndexPrefix.`,
    )
  }
  const onStoreError = input.onStoreError ?? 'fail'
  if (onStoreError !== 'fail' && onStoreError !== 'anonymous') {
    throw new TypeError(
      `RedisStore: onStoreError must be 'fail' (503 error) or 'anonymous' (proceed logged out); got ${describeValue(onStoreError)}.`,
    )
  }

  const concurrency = input.concurrency ?? 'lww'
  if (concurrency !== 'lww' && concurrency !== 'merge') {
    throw new TypeError(
      `RedisStore: concurrency must be 'lww' (last write wins) or 'merge'; got ${describeValue(concurrency)}.`,
    )
  }
  const keySecret = input.keySecret
  if (keySecret !== undefined && !(Buffer.isBuffer(keySecret) || typeof keySecret === 'string')) {
    throw new TypeError(
      `RedisStore: keySecret must be a string or Buffer of 32+ random bytes; got ${describeValue(keySecret)}.`,
    )
  }
  if (keySecret !== undefined && Buffer.byteLength(keySecret) < 16) {
    throw new RangeError(
      'RedisStore: keySecret is too short; use 32 random bytes (e.g. crypto.randomBytes(32).toString("base64")).',
    )
  }
  return {
    client,
    keySecret: keySecret === undefined ? undefined : Buffer.from(keySecret),
    concurrency,
    cipher: input.encryption === undefined ? undefined : new SessionCipher(input.encryption),
    prefix,
    ttlSeconds: ttl.seconds,
    ttlFunction: ttl.fn,
    disableTouch: bool(input.disableTouch, 'disableTouch'),
    disableTTL: bool(input.disableTTL, 'disableTTL'),
    serializer: serializerOption(input.serializer),
    scanCount: positiveInteger(input.scanCount, 'scanCount', 100),
    absoluteMs,
    userId,
    maxSessionsPerUser,
    userIndexPrefix,
    onStoreError,
    onEvent: optionalFunction<ResolvedStoreOptions['onEvent']>(input.onEvent, 'onEvent', 'event => log(event)'),
  }
}
