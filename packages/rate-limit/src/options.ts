import { createClient, describeValue, parseDuration, type RedisClient, toClient } from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { normalizeIp, validateIpv6Subnet } from './ip-key.js'
import { algorithms, type Algorithm } from './scripts/index.js'
import type {
  HeadersMode,
  RateLimitInfo,
  RateLimitOptions,
  RequestFn,
  StoreErrorPolicy,
  UpstashRatelimitLike,
} from './types.js'

export interface ResolvedPolicy {
  name: string
  limit: number
  windowMs: number
}

export interface ResolvedOptions {
  client: RedisClient | undefined
  upstash: UpstashRatelimitLike | undefined
  policies: ResolvedPolicy[]
  algorithm: Algorithm
  concurrency: number | undefined
  leaseTimeoutMs: number
  key: RequestFn<string> | undefined
  cost: number | RequestFn<number>
  skip: RequestFn<boolean> | undefined
  allowList: ((req: Request, res: Response) => boolean | Promise<boolean>) | undefined
  headers: HeadersMode
  message: RateLimitOptions['message']
  handler: ((req: Request, res: Response, next: NextFunction, info: RateLimitInfo) => unknown) | undefined
  onStoreError: StoreErrorPolicy
  onError: (error: unknown) => void
  onLimited: ((req: Request, info: RateLimitInfo) => void) | undefined
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

const known = new Set([
  'redis', 'limiter', 'limit', 'window', 'policies', 'algorithm', 'key', 'cost', 'skip', 'allowList', 'headers',
  'message', 'handler', 'onStoreError', 'onError', 'onLimited', 'timeout', 'prefix', 'dryRun',
  'skipSuccessfulRequests', 'skipFailedRequests', 'requestWasSuccessful', 'blockCache', 'ipv6Subnet', 'statusCode', 'warn',
  'concurrency', 'leaseTimeout', 'skipSuccessful', 'skipFailed',
])

/** Option names of express-rate-limit and rate-limiter-flexible, with what to write here instead. */
const peerOptionHints: Readonly<Record<string, string>> = {
  windowMs: "window (milliseconds or a string such as '1 m')",
  max: 'limit',
  points: 'limit',
  duration: "window (milliseconds or a string such as '1 m'; rate-limiter-flexible counts seconds)",
  keyGenerator: 'key',
  keyPrefix: 'prefix',
  store: 'redis (an ioredis Redis or Cluster, a node-redis client or cluster, an @upstash/redis Redis, or a RedisClient)',
  storeClient: 'redis',
  standardHeaders: "headers ('draft', 'legacy', 'both' or false)",
  legacyHeaders: "headers ('draft', 'legacy', 'both' or false)",
  blockDuration: 'blockCache (the block cache holds a blocked key until its window frees a slot)',
  inMemoryBlockOnConsumed: 'blockCache (on by default)',
  insuranceLimiter: "onStoreError ('fallback' is the default: an in-process limiter with the same policies)",
  passOnStoreError: "onStoreError: 'allow'",
}

function unknownOption(name: string): TypeError {
  const hint = peerOptionHints[name]
  if (hint !== undefined) return new TypeError(`rateLimit: unknown option "${name}"; use ${hint}.`)
  return new TypeError(`rateLimit: unknown option "${name}". Known options: ${[...known].join(', ')}.`)
}

/** `skipSuccessful`/`skipFailed` are aliases of express-rate-limit's longer names. */
function aliasedFlag(options: RateLimitOptions, name: 'skipSuccessfulRequests' | 'skipFailedRequests', alias: 'skipSuccessful' | 'skipFailed'): boolean {
  const value = bool(options[name], name)
  const aliased = bool(options[alias], alias)
  if (options[name] !== undefined && options[alias] !== undefined && value !== aliased) {
    throw new TypeError(`rateLimit: ${name} and ${alias} are the same option and disagree; pass one of them.`)
  }
  return value || aliased
}

const policyName = /^[A-Za-z0-9_-]{1,32}$/

function fn<T extends (...args: never[]) => unknown>(value: unknown, name: string, what: string): T | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw new TypeError(`rateLimit: ${name} must be ${what}; got ${describeValue(value)}.`)
  return value as T
}

function bool(value: unknown, name: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new TypeError(`rateLimit: ${name} must be true or false; got ${describeValue(value)}.`)
  return value
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`rateLimit: ${name} must be a positive integer (e.g. 100); got ${describeValue(value)}.`)
  }
  return value
}

function parsePolicies(options: RateLimitOptions): ResolvedPolicy[] {
  if (options.policies !== undefined) {
    if (options.limit !== undefined || options.window !== undefined) {
      throw new TypeError('rateLimit: pass either limit/window or policies, not both. Move limit/window into a policy.')
    }
    if (!Array.isArray(options.policies) || options.policies.length === 0) {
      throw new TypeError(
        `rateLimit: policies must be a non-empty array such as [{ name: 'burst', limit: 5, window: '1 m' }]; got ${describeValue(options.policies)}.`,
      )
    }
    const names = new Set<string>()
    return options.policies.map((policy: unknown, index) => {
      if (typeof policy !== 'object' || policy === null) {
        throw new TypeError(`rateLimit: policies[${index}] must be an object { name, limit, window }; got ${describeValue(policy)}.`)
      }
      const { name = `p${index + 1}`, limit, window } = policy as Record<string, unknown>
      if (typeof name !== 'string' || !policyName.test(name)) {
        throw new TypeError(`rateLimit: policies[${index}].name must be 1–32 letters, digits, _ or -; got ${describeValue(name)}.`)
      }
      if (names.has(name)) throw new TypeError(`rateLimit: policies[${index}].name "${name}" is used twice; give each policy its own name.`)
      names.add(name)
      return {
        name,
        limit: positiveInteger(limit, `policies[${index}].limit`),
        windowMs: parseDuration(window, `rateLimit: policies[${index}].window`),
      }
    })
  }
  if (options.limit === undefined) {
    throw new TypeError("rateLimit: set limit (and window), e.g. rateLimit({ redis, limit: 100, window: '1 m' }), or policies.")
  }
  return [
    {
      name: 'default',
      limit: positiveInteger(options.limit, 'limit'),
      windowMs: parseDuration(options.window ?? 60_000, 'rateLimit: window'),
    },
  ]
}

function parseAllowList(value: unknown): ResolvedOptions['allowList'] {
  if (value === undefined) return undefined
  if (typeof value === 'function') return value as RequestFn<boolean>
  if (!Array.isArray(value)) {
    throw new TypeError(`rateLimit: allowList must be an array of IPs/CIDRs or a function (req) => boolean; got ${describeValue(value)}.`)
  }
  const list = new BlockList()
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'string') throw new TypeError(`rateLimit: allowList entries must be strings; got ${describeValue(entry)}.`)
    const [address = '', bitsText] = entry.split('/')
    const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined
    const bits = bitsText === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bitsText)
    if (type === undefined || !Number.isInteger(bits) || bits < 0 || bits > (type === 'ipv4' ? 32 : 128)) {
      throw new TypeError(`rateLimit: allowList entry "${entry}" is not an IP or CIDR such as '10.0.0.0/8' or '2001:db8::/32'.`)
    }
    list.addSubnet(address, bits, type)
  }
  return (req) => {
    const raw = req.ip ?? req.socket?.remoteAddress
    if (raw === undefined) return false
    const ip = normalizeIp(raw, { ipv6Subnet: false })
    if (ip === undefined) return false
    const address = ip.endsWith('/128') ? ip.slice(0, -4) : ip
    return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')
  }
}

const defaultOnError = (warn: (message: string) => void) => (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  warn(`[@rediware/rate-limit] Redis is failing (${message}); applying onStoreError until it recovers.`)
}

export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`rateLimit: options must be an object such as { redis, limit: 100, window: '1 m' }; got ${describeValue(input)}.`)
  }
  for (const name of Object.keys(input)) {
    if (!known.has(name)) throw unknownOption(name)
  }
  const options = input as RateLimitOptions
  const warn = fn<(message: string) => void>(options.warn, 'warn', 'a function (message) => void') ?? console.warn
  const timeout = options.timeout === undefined ? undefined : parseDuration(options.timeout, 'rateLimit: timeout')

  let upstash: UpstashRatelimitLike | undefined
  let client: RedisClient | undefined
  if (options.limiter !== undefined) {
    const limiter: unknown = options.limiter
    if (typeof limiter !== 'object' || limiter === null || typeof (limiter as { limit?: unknown }).limit !== 'function') {
      throw new TypeError(`rateLimit: limiter must be an @upstash/ratelimit Ratelimit instance; got ${describeValue(limiter)}.`)
    }
    if (options.redis !== undefined) throw new TypeError('rateLimit: pass either redis or limiter, not both.')
    upstash = limiter as UpstashRatelimitLike
  } else if (options.redis !== undefined) {
    client = toClient(options.redis, timeout === undefined ? undefined : { timeout }, 'rateLimit: redis')
  } else {
    client = createClient({}, { warn })
  }

  const algorithm = options.algorithm ?? 'sliding-window'
  if (!Object.hasOwn(algorithms, algorithm)) {
    throw new TypeError(`rateLimit: algorithm must be one of ${Object.keys(algorithms).map((name) => `'${name}'`).join(', ')}; got ${describeValue(algorithm)}.`)
  }

  const concurrency = options.concurrency === undefined ? undefined : positiveInteger(options.concurrency, 'concurrency')
  if (concurrency !== undefined && upstash) throw new TypeError('rateLimit: concurrency is not available with limiter; use redis.')
  let policies: ResolvedPolicy[]
  if (concurrency !== undefined && options.limit === undefined && options.policies === undefined) {
    policies = []
  } else if (upstash && options.limit === undefined && options.policies === undefined) {
    policies = [{ name: 'default', limit: 0, windowMs: 0 }]
  } else {
    policies = parsePolicies(options)
  }
  if (upstash && policies.length > 1) throw new TypeError('rateLimit: with limiter, configure limits on the Ratelimit instance; policies is not supported.')

  const cost = options.cost ?? 1
  if (typeof cost !== 'function' && (typeof cost !== 'number' || !Number.isInteger(cost) || cost < 0)) {
    throw new RangeError(`rateLimit: cost must be a non-negative integer or a function (req, res) => number; got ${describeValue(cost)}.`)
  }

  const headers = options.headers === undefined || options.headers === true ? 'both' : options.headers
  if (!(headers === false || headers === 'draft' || headers === 'legacy' || headers === 'both')) {
    throw new TypeError(`rateLimit: headers must be 'draft', 'legacy', 'both' or false; got ${describeValue(options.headers)}.`)
  }

  const onStoreError = options.onStoreError ?? 'fallback'
  if (onStoreError !== 'fallback' && onStoreError !== 'allow' && onStoreError !== 'deny') {
    throw new TypeError(`rateLimit: onStoreError must be 'fallback', 'allow' or 'deny'; got ${describeValue(onStoreError)}.`)
  }

  const message = options.message
  if (message !== undefined && !['string', 'object', 'function'].includes(typeof message)) {
    throw new TypeError(`rateLimit: message must be a string, an object or a function; got ${describeValue(message)}.`)
  }

  const prefix = options.prefix ?? 'rl:'
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 64) {
    throw new TypeError(`rateLimit: prefix must be a string of at most 64 characters without { or }; got ${describeValue(prefix)}.`)
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
    throw new RangeError(`rateLimit: statusCode must be an HTTP error status (400–599); got ${describeValue(statusCode)}.`)
  }

  return {
    client,
    upstash,
    policies,
    algorithm,
    concurrency,
    leaseTimeoutMs: parseDuration(options.leaseTimeout ?? 60_000, 'rateLimit: leaseTimeout'),
    key: fn(options.key, 'key', 'a function (req, res) => string'),
    cost,
    skip: fn(options.skip, 'skip', 'a function (req, res) => boolean'),
    allowList: parseAllowList(options.allowList),
    headers,
    message,
    handler: fn(options.handler, 'handler', 'a function (req, res, next, info)'),
    onStoreError,
    onError: fn(options.onError, 'onError', 'a function (error) => void') ?? defaultOnError(warn),
    onLimited: fn(options.onLimited, 'onLimited', 'a function (req, info) => void'),
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
