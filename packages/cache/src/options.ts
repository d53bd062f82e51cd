import { type Duration, describeValue, memoryClient, parseDuration, type RedisClient, type RedisInput, toClient, warnOnce } from '@rediware/redis'
import type { Request } from 'express'

/** Options of `createCache()`: where entries live and how failures are reported. */
export interface CacheOptions {
  /** ioredis `Redis`/`Cluster`, `@upstash/redis` `Redis`, or a `RedisClient`. Omitted: in-process memory (one warning). */
  redis?: RedisInput
  /** Namespaces every key. Default `'cache:'`. */
  prefix?: string
  /** Deadline for each Redis call in ms. Default: the client's own (250 ms over TCP, 1 s over HTTP). */
  timeout?: number
  /** Called once per outage (the first failure after a healthy period). Default: `console.warn`. */
  onError?: (error: Error) => void
  /** Name used in `Cache-Status` (RFC 9211). Default `'rediware'`. */
  name?: string
  /** Clock in Unix ms for freshness decisions (tests). Default `Date.now`. */
  now?: () => number
  /** Observability hook: one call per cache decision (hit, stale, miss, bypass, store, lock-wait, refresh). */
  onEvent?: (event: CacheEvent) => void
}

/** What `onEvent` receives. `detail` carries the reason of a bypass (the same token as in `Cache-Status`). */
export interface CacheEvent {
  type: 'hit' | 'stale' | 'miss' | 'bypass' | 'store' | 'lock-wait' | 'refresh'
  /** URL path of the request (route events); the key for getOrSet events. */
  path: string
  detail?: string
}

/** What identifies a user for `scope`, or `null`/`undefined` to not cache this request. */
export type ScopeValue = string | number | null | undefined

/** Options of `route()` / `cache()`. */
export interface RouteOptions {
  /** How long an entry is fresh. Default `'1 m'`. */
  ttl?: Duration
  /** After `ttl`, serve the stale entry at once while one refresh runs. Default 0 (off). */
  staleWhileRevalidate?: Duration
  /** After `ttl`, serve the stale entry when the handler fails (throws, `next(err)`, 5xx). Default 0 (off). */
  staleIfError?: Duration
  /** Tags for `invalidate({ tags })`, fixed or from the request. Every entry is also tagged with its path. */
  tags?: readonly string[] | ((req: Request) => readonly string[])
  /** Request headers that select a variant (folded into the key). Responses whose `Vary` names others are not stored. */
  vary?: readonly string[]
  /** Query parameters in the key: `ignore` drops names, `allow` keeps only these. `'utm_*'` style prefixes allowed. */
  query?: { ignore?: readonly string[]; allow?: readonly string[] }
  /** Per-user entries: the user's identity; `null`/`undefined` → not cached. Turns off the personalisation guard. */
  scope?: (req: Request) => ScopeValue
  /** Statuses that may be stored. Default 200, 203, 204, 300, 301, 404, 410. 5xx never. */
  statuses?: readonly number[]
  /** Larger bodies pass through uncached. Bytes, default 1 048 576 (1 MB). */
  maxBodySize?: number
  /** `Cache-Control` to set on responses of this route (otherwise the app's header is left untouched). */
  cacheControl?: string
  /** A successful POST/PUT/PATCH/DELETE through this middleware invalidates its path. Default false. */
  invalidateOnWrite?: boolean
  /** Followers of a fill wait at most this long, then run the handler themselves. Default `'5 s'`. */
  lockTimeout?: Duration
  /** `'local'` (default): concurrent misses coalesce per process. `'distributed'`: also across instances, with a lock in Redis. */
  lock?: 'local' | 'distributed'
  /** Return true to skip the cache for this request (a server-side decision, e.g. an admin preview). */
  bypass?: (req: Request) => boolean
}

/** Options of `getOrSet()` and `wrap()`. */
export interface GetOrSetOptions {
  /** How long the value is fresh. Required. */
  ttl: Duration
  /** Tags for `invalidate({ tags })`. */
  tags?: readonly string[]
  /** Cache `null`/`undefined` results for this long. Default: not cached. */
  negativeTtl?: Duration
  /** Shortens each TTL by a random fraction up to this (0–1). Default 0.1. */
  jitter?: number
}

export const defaultStatuses: readonly number[] = [200, 203, 204, 300, 301, 404, 410]

export interface ResolvedCacheOptions {
  client: RedisClient
  prefix: string
  timeout: number | undefined
  onError: (error: Error) => void
  name: string
  now: () => number
  onEvent: ((event: CacheEvent) => void) | undefined
}

export interface ResolvedRouteOptions {
  ttl: number
  swr: number
  sie: number
  tags: (req: Request) => readonly string[]
  vary: readonly string[]
  query: { ignore: readonly string[]; allow: readonly string[] | undefined }
  scope: ((req: Request) => ScopeValue) | undefined
  statuses: ReadonlySet<number>
  maxBodySize: number
  cacheControl: string | undefined
  invalidateOnWrite: boolean
  lockTimeout: number
  lock: 'local' | 'distributed'
  bypass: ((req: Request) => boolean) | undefined
}

export interface ResolvedGetOrSetOptions {
  ttl: number
  tags: readonly string[]
  negativeTtl: number | undefined
  jitter: number
}

const cacheKeys = new Set(['redis', 'prefix', 'timeout', 'onError', 'name', 'now', 'onEvent'])
const routeKeys = new Set([
  'ttl', 'staleWhileRevalidate', 'staleIfError', 'tags', 'vary', 'query', 'scope', 'statuses',
  'maxBodySize', 'cacheControl', 'invalidateOnWrite', 'lockTimeout', 'lock', 'bypass',
])
const getOrSetKeys = new Set(['ttl', 'tags', 'negativeTtl', 'jitter'])

function requireObject(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an options object; got ${describeValue(value)}.`)
  }
  return value as Record<string, unknown>
}

function rejectUnknown(options: Record<string, unknown>, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new TypeError(`${where}: unknown option "${key}". Known options: ${[...allowed].join(', ')}.`)
    }
  }
}

function optionalFunction<F>(value: unknown, name: string, shape: string): F | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function ${shape}; got ${describeValue(value)}.`)
  return value as F
}

function stringList(value: unknown, name: string, lowercase: boolean): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new TypeError(`${name} must be an array of non-empty strings; got ${describeValue(value)}.`)
  }
  return (value as string[]).map((item) => (lowercase ? item.toLowerCase() : item))
}

const defaultOnError = (error: Error): void => {
  console.warn(`@rediware/cache: the cache backend is failing; requests go to the handler until it recovers (${error.message}).`)
}

export function resolveCacheOptions(input: unknown): ResolvedCacheOptions {
  const options = requireObject(input ?? {}, 'createCache(options)')
  return resolveCacheFields(options, 'createCache(options)', true)
}

function resolveCacheFields(options: Record<string, unknown>, where: string, strict: boolean): ResolvedCacheOptions {
  if (strict) rejectUnknown(options, cacheKeys, where)
  let client: RedisClient
  if (options.redis === undefined) {
    warnOnce(
      'REDIWARE_CACHE_MEMORY',
      '@rediware/cache: no `redis` option, so entries live in this process only (not shared between instances, lost on restart). Pass an ioredis, Cluster or @upstash/redis client in production.',
    )
    client = memoryClient()
  } else {
    client = toClient(options.redis, undefined, 'redis')
  }
  const prefix = options.prefix ?? 'cache:'
  if (typeof prefix !== 'string' || prefix.length > 128 || /[{}*?[\]\s]/.test(prefix)) {
    throw new TypeError(`prefix must be a string of at most 128 characters without braces, glob characters or spaces, such as 'cache:'; got ${describeValue(prefix)}.`)
  }
  let timeout: number | undefined
  if (options.timeout !== undefined) {
    if (typeof options.timeout !== 'number' || !Number.isFinite(options.timeout) || options.timeout <= 0) {
      throw new RangeError(`timeout must be a positive number of milliseconds, such as 250; got ${describeValue(options.timeout)}.`)
    }
    timeout = Math.ceil(options.timeout)
  }
  const onError = optionalFunction<(error: Error) => void>(options.onError, 'onError', '(error) => void') ?? defaultOnError
  const name = options.name ?? 'rediware'
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    throw new TypeError(`name must be a short token (letters, digits, . _ -), such as 'rediware'; got ${describeValue(name)}.`)
  }
  const now = optionalFunction<() => number>(options.now, 'now', '() => Unix milliseconds') ?? Date.now
  const onEvent = optionalFunction<(event: CacheEvent) => void>(options.onEvent, 'onEvent', '(event) => void')
  return { client, prefix, timeout, onError, name, now, onEvent }
}

export function resolveRouteOptions(input: unknown, where = 'route(options)'): ResolvedRouteOptions {
  const options = requireObject(input ?? {}, where)
  rejectUnknown(options, routeKeys, where)
  return resolveRouteFields(options)
}

/** `cache(options)`: the cache options and the route options in one object. */
export function resolveOneOffOptions(input: unknown): { cache: ResolvedCacheOptions; route: ResolvedRouteOptions } {
  const options = requireObject(input ?? {}, 'cache(options)')
  rejectUnknown(options, new Set([...cacheKeys, ...routeKeys]), 'cache(options)')
  const route = resolveRouteFields(options)
  return { cache: resolveCacheFields(options, 'cache(options)', false), route }
}

function resolveRouteFields(options: Record<string, unknown>): ResolvedRouteOptions {
  const ttl = parseDuration(options.ttl ?? 60_000, 'ttl')
  const swr = options.staleWhileRevalidate === undefined ? 0 : parseDuration(options.staleWhileRevalidate, 'staleWhileRevalidate', { allowZero: true })
  const sie = options.staleIfError === undefined ? 0 : parseDuration(options.staleIfError, 'staleIfError', { allowZero: true })
  let tags: (req: Request) => readonly string[] = () => []
  if (typeof options.tags === 'function') {
    const fn = options.tags as (req: Request) => unknown
    tags = (req) => {
      const result = fn(req)
      if (!Array.isArray(result) || result.some((tag) => typeof tag !== 'string')) {
        throw new TypeError(`tags(req) must return an array of strings; got ${describeValue(result)}.`)
      }
      return result as string[]
    }
  } else if (options.tags !== undefined) {
    const fixed = stringList(options.tags, 'tags', false)
    tags = () => fixed
  }
  const vary = options.vary === undefined ? [] : stringList(options.vary, 'vary', true)
  if (vary.includes('*')) throw new TypeError(`vary cannot contain '*': a response that varies on everything cannot be cached. List header names instead.`)
  let query: ResolvedRouteOptions['query'] = { ignore: [], allow: undefined }
  if (options.query !== undefined) {
    const q = requireObject(options.query, 'query')
    rejectUnknown(q, new Set(['ignore', 'allow']), 'query')
    if (q.ignore !== undefined && q.allow !== undefined) {
      throw new TypeError('query: use either `ignore` or `allow`, not both.')
    }
    query = {
      ignore: q.ignore === undefined ? [] : stringList(q.ignore, 'query.ignore', false),
      allow: q.allow === undefined ? undefined : stringList(q.allow, 'query.allow', false),
    }
  }
  const scope = optionalFunction<(req: Request) => ScopeValue>(options.scope, 'scope', '(req) => user id')
  let statuses: ReadonlySet<number> = new Set(defaultStatuses)
  if (options.statuses !== undefined) {
    const list = options.statuses
    if (!Array.isArray(list) || list.some((s) => !Number.isInteger(s) || (s as number) < 100 || (s as number) > 599)) {
      throw new TypeError(`statuses must be an array of HTTP status codes, such as [200, 404]; got ${describeValue(list)}.`)
    }
    const bad = (list as number[]).filter((s) => s >= 500 || s === 206 || s === 304)
    if (bad.length > 0) {
      throw new RangeError(`statuses cannot include ${bad.join(', ')}: 5xx are never stored (use staleIfError), 206 and 304 depend on the request.`)
    }
    statuses = new Set(list as number[])
  }
  let maxBodySize = 1_048_576
  if (options.maxBodySize !== undefined) {
    const size = options.maxBodySize
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) {
      throw new RangeError(`maxBodySize must be a positive whole number of bytes, such as 1048576; got ${describeValue(size)}.`)
    }
    maxBodySize = size
  }
  const cacheControl = options.cacheControl
  if (cacheControl !== undefined && (typeof cacheControl !== 'string' || cacheControl.length === 0 || /[\r\n]/.test(cacheControl))) {
    throw new TypeError(`cacheControl must be a Cache-Control header value, such as 'public, max-age=60'; got ${describeValue(cacheControl)}.`)
  }
  const invalidateOnWrite = options.invalidateOnWrite ?? false
  if (typeof invalidateOnWrite !== 'boolean') throw new TypeError(`invalidateOnWrite must be true or false; got ${describeValue(invalidateOnWrite)}.`)
  const lockTimeout = parseDuration(options.lockTimeout ?? 5000, 'lockTimeout')
  const lock = options.lock ?? 'local'
  if (lock !== 'local' && lock !== 'distributed') {
    throw new TypeError(`lock must be 'local' or 'distributed'; got ${describeValue(lock)}.`)
  }
  const bypass = optionalFunction<(req: Request) => boolean>(options.bypass, 'bypass', '(req) => boolean')
  return {
    ttl, swr, sie, tags, vary, query, scope, statuses, maxBodySize,
    cacheControl: cacheControl as string | undefined,
    invalidateOnWrite, lockTimeout, lock, bypass,
  }
}

export function resolveGetOrSetOptions(input: unknown): ResolvedGetOrSetOptions {
  const options = requireObject(input, 'getOrSet(key, loader, options)')
  rejectUnknown(options, getOrSetKeys, 'getOrSet options')
  if (options.ttl === undefined) throw new TypeError(`getOrSet: ttl is required, such as { ttl: '5 m' }.`)
  const ttl = parseDuration(options.ttl, 'ttl')
  const tags = options.tags === undefined ? [] : stringList(options.tags, 'tags', false)
  const negativeTtl = options.negativeTtl === undefined ? undefined : parseDuration(options.negativeTtl, 'negativeTtl')
  const jitter = options.jitter ?? 0.1
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw new RangeError(`jitter must be a fraction from 0 (off) to below 1, such as 0.1; got ${describeValue(jitter)}.`)
  }
  return { ttl, tags, negativeTtl, jitter }
}
