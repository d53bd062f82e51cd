import {
  createClient,
  describeValue,
  type OptionNames,
  parseDuration,
  type RedisClient,
  toClient,
} from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import { parseAllowList } from './allow-list.js'
import { type HeaderFormats, headerFormats } from './header-formats.js'
import { validateIpv6Subnet } from './ip-key.js'
import { bool, fn, positiveInteger } from './option-checks.js'
import { parsePolicies, type ResolvedPolicy } from './policies.js'
import { algorithms, type Algorithm } from './scripts/index.js'
import type {
  LimitedHandlerOptions,
  LimiterOptions,
  RateLimitEvent,
  RateLimitInfo,
  RateLimitOptions,
  RequestFn,
  StoreErrorPolicy,
  UpstashRatelimitLike,
} from './types.js'

export type { HeaderFormats }

export type { ResolvedPolicy }

export interface ResolvedOptions {
  client: RedisClient | undefined
  upstash: UpstashRatelimitLike | undefined
  policies: ResolvedPolicy[]
  algorithm: Algorithm
  /** `limit` as a function of the request (one policy); its result replaces the policy's limit. */
  limitFn: RequestFn<number> | undefined
  concurrency: number | undefined
  leaseTimeoutMs: number
  key: RequestFn<string> | undefined
  cost: number | RequestFn<number>
  skip: RequestFn<boolean> | undefined
  allowList: ((req: Request, res: Response) => boolean | Promise<boolean>) | undefined
  headers: HeaderFormats
  message: RateLimitOptions['message']
  handler: ((req: Request, res: Response, next: NextFunction, options: LimitedHandlerOptions) => unknown) | undefined
  requestPropertyName: string
  onStoreError: StoreErrorPolicy
  onError: (error: unknown) => void
  onLimited: ((req: Request, info: RateLimitInfo) => void) | undefined
  onEvent: ((event: RateLimitEvent) => void) | undefined
  timeout: number | undefined
  prefix: string
  dryRun: boolean
  skipSuccessfulRequests: boolean
  skipFailedRequests: boolean
  requestWasSuccessful: (req: Request, res: Response) => boolean
  blockCacheMax: number
  ipv6Subnet: number | false
  statusCode: number
  warn: (message: string) => void
}

/** The options `createLimiter()` shares with `rateLimit()`: all but the ones about HTTP. */
export const limiterOptionNames: OptionNames<LimiterOptions> = {
  redis: true,
  limiter: true,
  limit: true,
  window: true,
  policies: true,
  algorithm: true,
  onStoreError: true,
  onError: true,
  timeout: true,
  prefix: true,
  blockCache: true,
  warn: true,
}

const known: OptionNames<RateLimitOptions> = {
  ...limiterOptionNames,
  key: true,
  cost: true,
  skip: true,
  allowList: true,
  headers: true,
  standardHeaders: true,
  legacyHeaders: true,
  message: true,
  handler: true,
  requestPropertyName: true,
  onLimited: true,
  onEvent: true,
  dryRun: true,
  skipSuccessfulRequests: true,
  skipFailedRequests: true,
  requestWasSuccessful: true,
  ipv6Subnet: true,
  statusCode: true,
  concurrency: true,
  leaseTimeout: true,
  skipSuccessful: true,
  skipFailed: true,
}

/** Option names of express-rate-limit and rate-limiter-flexible, with what to write here instead. */
const peerOptionHints: Readonly<Record<string, string>> = {
  windowMs: "window (milliseconds or a string such as '1 m')",
  max: 'limit',
  points: 'limit',
  duration: "window (milliseconds or a string such as '1 m'; rate-limiter-flexible counts seconds)",
  keyGenerator: 'key',
  keyPrefix: 'prefix',
  store:
    'redis (an ioredis Redis or Cluster, a node-redis client or cluster, an @upstash/redis Redis, or a RedisClient)',
  storeClient: 'redis',
  blockDuration: 'blockCache (the block cache holds a blocked key until its window frees a slot)',
  inMemoryBlockOnConsumed: 'blockCache (on by default)',
  insuranceLimiter: "onStoreError ('fallback' is the default: an in-process limiter with the same policies)",
  passOnStoreError: "onStoreError: 'allow'",
}

function unknownOption(name: string): TypeError {
  const hint = peerOptionHints[name]
  if (hint !== undefined) return new TypeError(`rateLimit: unknown option "${name}"; use ${hint}.`)
  return new TypeError(`rateLimit: unknown option "${name}". Known options: ${Object.keys(known).join(', ')}.`)
}

/** `skipSuccessful`/`skipFailed` are aliases of express-rate-limit's longer names. */
function aliasedFlag(
  options: RateLimitOptions,
  name: 'skipSuccessfulRequests' | 'skipFailedRequests',
  alias: 'skipSuccessful' | 'skipFailed',
): boolean {
  const value = bool(options[name], name)
  const aliased = bool(options[alias], alias)
  if (options[name] !== undefined && options[alias] !== undefined && value !== aliased) {
    throw new TypeError(`rateLimit: ${name} and ${alias} are the same option and disagree; pass one of them.`)
  }
  return value || aliased
}

function propertyName(value: unknown): string {
  if (value === undefined) return 'rateLimit'
  if (typeof value !== 'string' || !/^[A-Za-z_$][\w$]{0,63}$/.test(value)) {
    throw new TypeError(
      `rateLimit: requestPropertyName must be an identifier such as 'rateLimit'; got ${describeValue(value)}.`,
    )
  }
  return value
}

const defaultOnError = (warn: (message: string) => void) => (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  warn(`[@rediware/rate-limit] Redis is failing (${message}); applying onStoreError until it recovers.`)
}

export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(
      `rateLimit: options must be an object such as { redis, limit: 100, window: '1 m' }; got ${describeValue(input)}.`,
    )
  }
  for (const name of Object.keys(input)) {
    if (!Object.hasOwn(known, name)) throw unknownOption(name)
  }
  const options = input as RateLimitOptions
  const warn = fn<(message: string) => void>(options.warn, 'warn', 'a function (message) => void') ?? console.warn
  const timeout = options.timeout === undefined ? undefined : parseDuration(options.timeout, 'rateLimit: timeout')

  let upstash: UpstashRatelimitLike | undefined
  let client: RedisClient | undefined
  if (options.limiter !== undefined) {
    const limiter: unknown = options.limiter
    if (
      typeof limiter !== 'object' ||
      limiter === null ||
      typeof (limiter as { limit?: unknown }).limit !== 'function'
    ) {
      throw new TypeError(
        `rateLimit: limiter must be an @upstash/ratelimit Ratelimit instance; got ${describeValue(limiter)}.`,
      )
    }
    if (options.redis !== undefined) throw new TypeError('rateLimit: pass either redis or limiter, not both.')
    upstash = limiter as UpstashRatelimitLike
  } else if (options.redis !== undefined) {
    client = toClient(options.redis, timeout === undefined ? undefined : { timeout }, 'rateLimit: redis')
  } else {
    client = createClient({}, { warn })
  }

  const algorithm = options.algorithm ?? 'auto'
  if (!Object.hasOwn(algorithms, algorithm)) {
    throw new TypeError(
      `rateLimit: algorithm must be one of ${Object.keys(algorithms)
        .map((name) => `'${name}'`)
        .join(', ')}; got ${describeValue(algorithm)}.`,
    )
  }

  const concurrency =
    options.concurrency === undefined ? undefined : positiveInteger(options.concurrency, 'concurrency')
  if (concurrency !== undefined && upstash)
    throw new TypeError('rateLimit: concurrency is not available with limiter; use redis.')
  let policies: ResolvedPolicy[]
  if (concurrency !== undefined && options.limit === undefined && options.policies === undefined) {
    policies = []
  } else if (upstash && options.limit === undefined && options.policies === undefined) {
    policies = [{ name: 'default', limit: 0, windowMs: 0 }]
  } else {
    policies = parsePolicies(options)
  }
  if (upstash && typeof options.limit === 'function')
    throw new TypeError(
      'rateLimit: with limiter, limit cannot be a function; configure limits on the Ratelimit instance.',
    )
  if (upstash && policies.length > 1)
    throw new TypeError(
      'rateLimit: with limiter, configure limits on the Ratelimit instance; policies is not supported.',
    )

  const cost = options.cost ?? 1
  if (typeof cost !== 'function' && (typeof cost !== 'number' || !Number.isInteger(cost) || cost < 0)) {
    throw new RangeError(
      `rateLimit: cost must be a non-negative integer or a function (req, res) => number; got ${describeValue(cost)}.`,
    )
  }

  const headers = headerFormats(options)

  const onStoreError = options.onStoreError ?? 'fallback'
  if (onStoreError !== 'fallback' && onStoreError !== 'allow' && onStoreError !== 'deny') {
    throw new TypeError(
      `rateLimit: onStoreError must be 'fallback', 'allow' or 'deny'; got ${describeValue(onStoreError)}.`,
    )
  }

  const message = options.message
  if (message !== undefined && !['string', 'object', 'function'].includes(typeof message)) {
    throw new TypeError(`rateLimit: message must be a string, an object or a function; got ${describeValue(message)}.`)
  }

  const prefix = options.prefix ?? 'rl:'
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 64) {
    throw new TypeError(
      `rateLimit: prefix must be a string of at most 64 characters without { or }; got ${describeValue(prefix)}.`,
    )
  }

  let blockCacheMax = 10_000
  if (options.blockCache === false) blockCacheMax = 0
  else if (options.blockCache !== undefined) {
    if (typeof options.blockCache !== 'object' || options.blockCache === null) {
      throw new TypeError(`rateLimit: blockCache must be false or { max }; got ${describeValue(options.blockCache)}.`)
    }
    if (options.blockCache.max !== undefined) blockCacheMax = positiveInteger(options.blockCache.max, 'blockCache.max')
  }

  const statusCode = options.statusCode ?? 429
  if (!Number.isInteger(statusCode) || statusCode < 400 || statusCode > 599) {
    throw new RangeError(
      `rateLimit: statusCode must be an HTTP error status (400–599); got ${describeValue(statusCode)}.`,
    )
  }

  return {
    client,
    upstash,
    policies,
    algorithm,
    limitFn: typeof options.limit === 'function' ? (options.limit as RequestFn<number>) : undefined,
    concurrency,
    leaseTimeoutMs: parseDuration(options.leaseTimeout ?? 60_000, 'rateLimit: leaseTimeout'),
    key: fn(options.key, 'key', 'a function (req, res) => string'),
    cost,
    skip: fn(options.skip, 'skip', 'a function (req, res) => boolean'),
    allowList: parseAllowList(options.allowList),
    headers,
    message,
    handler: fn(options.handler, 'handler', 'a function (req, res, next, options)'),
    requestPropertyName: propertyName(options.requestPropertyName),
    onStoreError,
    onError: fn(options.onError, 'onError', 'a function (error) => void') ?? defaultOnError(warn),
    onLimited: fn(options.onLimited, 'onLimited', 'a function (req, info) => void'),
    onEvent: fn(options.onEvent, 'onEvent', 'a function (event) => void'),
    timeout,
    prefix,
    dryRun: bool(options.dryRun, 'dryRun'),
    skipSuccessfulRequests: aliasedFlag(options, 'skipSuccessfulRequests', 'skipSuccessful'),
    skipFailedRequests: aliasedFlag(options, 'skipFailedRequests', 'skipFailed'),
    requestWasSuccessful:
      fn(options.requestWasSuccessful, 'requestWasSuccessful', 'a function (req, res) => boolean') ??
      ((_req: Request, res: Response) => res.statusCode < 400),
    blockCacheMax,
    ipv6Subnet: validateIpv6Subnet(options.ipv6Subnet, 'rateLimit: ipv6Subnet'),
    statusCode,
    warn,
  }
}
