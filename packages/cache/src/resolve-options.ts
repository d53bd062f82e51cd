import {
  describeValue,
  type OptionNames,
  optionReader,
  type ResolvedSharedOptions,
  resolveHooks,
  resolveRedisOption,
} from '@rediware/redis'
import type { Request } from 'express'
import {
  type CacheEvent,
  type CacheOptions,
  defaultStatuses,
  type LocalOptions,
  type GetOrSetOptions,
  type RouteOptions,
  type ScopeValue,
} from './options.js'
import type { InvalidationBus } from './local-tier.js'
import { namePattern, type NamePattern } from './name-pattern.js'

export const reader = optionReader('@rediware/cache')

export interface ResolvedLocalOptions {
  maxEntries: number
  maxAge: number
  bus: InvalidationBus
}

export interface ResolvedCacheOptions extends ResolvedSharedOptions<CacheEvent> {
  local: ResolvedLocalOptions | undefined
  name: string
  now: () => number
}

export interface ResolvedRouteOptions {
  ttl: number
  swr: number
  sie: number
  tags: (req: Request) => readonly string[]
  vary: readonly string[]
  query: { ignore: NamePattern | undefined; allow: NamePattern | undefined }
  scope: ((req: Request) => ScopeValue) | undefined
  public: boolean
  ignoreCookies: NamePattern | undefined
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

const cacheNames: OptionNames<CacheOptions> = {
  redis: true,
  prefix: true,
  timeout: true,
  onError: true,
  onEvent: true,
  warn: true,
  name: true,
  now: true,
  local: true,
}
const localNames: OptionNames<LocalOptions> = { maxEntries: true, realtime: true, maxAge: true }
const routeNames: OptionNames<RouteOptions> = {
  ttl: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  tags: true,
  vary: true,
  query: true,
  scope: true,
  public: true,
  ignoreCookies: true,
  statuses: true,
  maxBodySize: true,
  cacheControl: true,
  invalidateOnWrite: true,
  lockTimeout: true,
  lock: true,
  bypass: true,
}
const queryNames: OptionNames<NonNullable<RouteOptions['query']>> = { ignore: true, allow: true }
const getOrSetNames: OptionNames<GetOrSetOptions> = { ttl: true, tags: true, negativeTtl: true, jitter: true }

/** apicache's and express-redis-cache's names, with what to write here instead. */
const peerHints: Readonly<Record<string, string>> = {
  duration: "ttl (milliseconds or a string such as '5 m')",
  expire: "ttl (milliseconds or a string such as '5 m')",
  appendKey: 'scope: (req) => userId',
  headerBlacklist: 'nothing: per-request headers set before the cache are never stored',
  statusCodes: 'statuses',
}

function stringList(value: unknown, name: string, lowercase = false): readonly string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw reader.typeError(`${name} must be an array of non-empty strings; got ${describeValue(value)}.`)
  }
  return (value as string[]).map((item) => (lowercase ? item.toLowerCase() : item))
}

const describeOutage = (error: Error): string =>
  `the cache backend is failing; requests go to the handler until it recovers (${error.message}).`

export function resolveCacheOptions(input: unknown): ResolvedCacheOptions {
  const options = reader.object<CacheOptions>(input ?? {}, cacheNames, {
    example: "{ redis, prefix: 'cache:' }",
    hints: peerHints,
  })
  return resolveCacheFields(options)
}

function resolveCacheFields(options: Partial<CacheOptions>): ResolvedCacheOptions {
  const hooks = resolveHooks<CacheEvent>(reader, options, describeOutage)
  const client = resolveRedisOption(reader, options.redis, {
    code: 'REDIWARE_CACHE_MEMORY',
    warning:
      '@rediware/cache: no `redis` option, so entries live in this process only (not shared between instances, lost on restart). Pass an ioredis, node-redis, Cluster or @upstash/redis client in production.',
    warn: (message) => hooks.warnOnce('memory', message),
  })
  const prefix = reader.prefix(options.prefix, 'prefix', 'cache:')
  const timeout = reader.optionalDuration(options.timeout, 'timeout')
  const name = reader.string(options.name, 'name', 'rediware', { maxLength: 64 })
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw reader.typeError(
      `name must be a short token (letters, digits, . _ -), such as 'rediware'; got ${describeValue(name)}.`,
    )
  }
  const now = reader.fn<() => number>(options.now, 'now', '() => Unix milliseconds') ?? Date.now
  return { client, prefix, timeout, hooks, name, now, local: resolveLocal(options.local) }
}

function resolveLocal(input: unknown): ResolvedLocalOptions | undefined {
  const options = reader.nested(input, 'local', localNames, '{ maxEntries: 1000, realtime: createRealtime({ redis }) }')
  if (options === undefined) return undefined
  const bus = reader.withMethods<InvalidationBus>(
    options.realtime,
    'local.realtime',
    ['publish', 'subscribe'],
    "must be a Realtime from @rediware/realtime (createRealtime({ redis })), which keeps every process's local tier coherent",
  )
  if (options.maxEntries === undefined)
    throw reader.typeError('local.maxEntries is required, such as { maxEntries: 1000 }.')
  return {
    maxEntries: reader.integer(options.maxEntries, 'local.maxEntries', 0, { min: 1, max: 1_000_000 }),
    maxAge: reader.duration(options.maxAge, 'local.maxAge', 10_000),
    bus,
  }
}

export function resolveRouteOptions(input: unknown): ResolvedRouteOptions {
  return resolveRouteFields(
    reader.object<RouteOptions>(input ?? {}, routeNames, { example: "{ ttl: '5 m' }", hints: peerHints }),
  )
}

/** `cache(options)`: the cache options and the route options in one object. */
export function resolveOneOffOptions(input: unknown): { cache: ResolvedCacheOptions; route: ResolvedRouteOptions } {
  const options = reader.object<CacheOptions & RouteOptions>(
    input ?? {},
    { ...cacheNames, ...routeNames },
    { example: "{ redis, ttl: '5 m' }", hints: peerHints },
  )
  const route = resolveRouteFields(options)
  return { cache: resolveCacheFields(options), route }
}

/** A non-whole number of bytes has the right type and a wrong value: a RangeError, like 0. */
function byteCount(value: unknown, name: string, fallback: number): number {
  if (typeof value === 'number' && (!Number.isInteger(value) || value < 1)) {
    throw reader.rangeError(`${name} must be a positive whole number of bytes, such as 1048576; got ${value}.`)
  }
  return reader.integer(value, name, fallback)
}

function resolveTags(value: RouteOptions['tags']): (req: Request) => readonly string[] {
  if (typeof value === 'function') {
    const fn = value as (req: Request) => unknown
    return (req) => {
      const result = fn(req)
      if (!Array.isArray(result) || result.some((tag) => typeof tag !== 'string')) {
        throw reader.typeError(`tags(req) must return an array of strings; got ${describeValue(result)}.`)
      }
      return result as string[]
    }
  }
  if (value === undefined) return () => []
  const fixed = stringList(value, 'tags')
  return () => fixed
}

function resolveQuery(value: unknown): ResolvedRouteOptions['query'] {
  const query = reader.nested(value, 'query', queryNames, "{ ignore: ['utm_*'] }")
  if (query === undefined) return { ignore: undefined, allow: undefined }
  if (query.ignore !== undefined && query.allow !== undefined)
    throw reader.typeError('query: use either `ignore` or `allow`, not both.')
  return {
    ignore: query.ignore === undefined ? undefined : namePattern(stringList(query.ignore, 'query.ignore')),
    allow: query.allow === undefined ? undefined : namePattern(stringList(query.allow, 'query.allow')),
  }
}

function resolveStatuses(value: unknown): ReadonlySet<number> {
  if (value === undefined) return new Set(defaultStatuses)
  if (!Array.isArray(value) || value.some((s) => !Number.isInteger(s) || (s as number) < 100 || (s as number) > 599)) {
    throw reader.typeError(
      `statuses must be an array of HTTP status codes, such as [200, 404]; got ${describeValue(value)}.`,
    )
  }
  const bad = (value as number[]).filter((s) => s >= 500 || s === 206 || s === 304)
  if (bad.length > 0) {
    throw reader.rangeError(
      `statuses cannot include ${bad.join(', ')}: 5xx are never stored (use staleIfError), 206 and 304 depend on the request.`,
    )
  }
  return new Set(value as number[])
}

function resolveRouteFields(options: Partial<RouteOptions>): ResolvedRouteOptions {
  const vary = options.vary === undefined ? [] : stringList(options.vary, 'vary', true)
  if (vary.includes('*'))
    throw reader.typeError(
      `vary cannot contain '*': a response that varies on everything cannot be cached. List header names instead.`,
    )
  const scope = reader.fn<(req: Request) => ScopeValue>(options.scope, 'scope', '(req) => user id')
  const isPublic = reader.boolean(options.public, 'public', false)
  if (isPublic && scope !== undefined) {
    throw reader.typeError(
      'use either `scope` (one entry per user) or `public: true` (one entry for everyone), not both.',
    )
  }
  const cacheControl = options.cacheControl
  if (
    cacheControl !== undefined &&
    (typeof cacheControl !== 'string' || cacheControl.length === 0 || /[\r\n]/.test(cacheControl))
  ) {
    throw reader.typeError(
      `cacheControl must be a Cache-Control header value, such as 'public, max-age=60'; got ${describeValue(cacheControl)}.`,
    )
  }
  return {
    ttl: reader.duration(options.ttl, 'ttl', 60_000),
    swr: reader.duration(options.staleWhileRevalidate, 'staleWhileRevalidate', 0, { allowZero: true }),
    sie: reader.duration(options.staleIfError, 'staleIfError', 0, { allowZero: true }),
    tags: resolveTags(options.tags),
    vary,
    query: resolveQuery(options.query),
    scope,
    public: isPublic,
    ignoreCookies:
      options.ignoreCookies === undefined ? undefined : namePattern(stringList(options.ignoreCookies, 'ignoreCookies')),
    statuses: resolveStatuses(options.statuses),
    maxBodySize: byteCount(options.maxBodySize, 'maxBodySize', 1_048_576),
    cacheControl,
    invalidateOnWrite: reader.boolean(options.invalidateOnWrite, 'invalidateOnWrite', false),
    lockTimeout: reader.duration(options.lockTimeout, 'lockTimeout', 5000),
    lock: reader.oneOf(options.lock, 'lock', ['local', 'distributed'] as const, 'local'),
    bypass: reader.fn<(req: Request) => boolean>(options.bypass, 'bypass', '(req) => boolean'),
  }
}

export function resolveGetOrSetOptions(input: unknown): ResolvedGetOrSetOptions {
  const options = reader.object<GetOrSetOptions>(input, getOrSetNames, { example: "{ ttl: '5 m' }" })
  if (options.ttl === undefined) throw reader.typeError(`getOrSet: ttl is required, such as { ttl: '5 m' }.`)
  return {
    ttl: reader.duration(options.ttl, 'ttl', 0),
    tags: options.tags === undefined ? [] : stringList(options.tags, 'tags'),
    negativeTtl: reader.optionalDuration(options.negativeTtl, 'negativeTtl'),
    jitter: reader.number(options.jitter, 'jitter', 0.1, { min: 0, max: 0.999_999 }),
  }
}
