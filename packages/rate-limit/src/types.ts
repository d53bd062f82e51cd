import type { Duration, RedisInput } from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import type { Algorithm } from './scripts/index.js'

export type { Algorithm }

export interface PolicyOptions {
  /** Name used in headers and keys: letters, digits, `_` and `-`, up to 32. Default `default` (one policy) or `p1`, `p2`… */
  name?: string
  /** Units allowed per window (token bucket: burst size, refilled at `limit` per `window`). */
  limit: number
  /** Window length: ms or a string such as `'10 s'`, `'1 m'`, `'1 d'`. */
  window: Duration
}

/** The state of one policy after a request, as `req.rateLimit.policies` and the headers report it. */
export interface PolicyState {
  name: string
  limit: number
  windowMs: number
  remaining: number
  /** Milliseconds until the policy's quota is fully restored (0 when untouched). */
  resetMs: number
  /** Milliseconds until a request of the same cost would pass this policy; 0 when it passes; -1 never. */
  retryAfterMs: number
  allowed: boolean
  /** `concurrency` for the in-flight limit (`limit` = slots, `remaining` = free slots). */
  kind?: 'rate' | 'concurrency'
}

/** Where a decision came from. */
export type DecisionSource = 'redis' | 'fallback' | 'block-cache' | 'allow-on-error' | 'deny-on-error' | 'upstash'

export interface RateLimitInfo {
  /** The (unhashed) key the request was counted under. */
  key: string
  allowed: boolean
  cost: number
  /** The binding policy's limit / remaining (lowest remaining). */
  limit: number
  remaining: number
  resetMs: number
  /** Milliseconds until a retry is allowed (0 when allowed). */
  retryAfterMs: number
  /**
   * Units of the binding policy in use, this request included even when it was refused (as
   * express-rate-limit's `used`), though a refused request is not charged.
   */
  used: number
  /** When the binding policy's quota is fully restored (express-rate-limit's `resetTime`). */
  resetTime: Date
  policies: PolicyState[]
  source: DecisionSource
  /** Names of the policies that rejected the request. */
  violated: string[]
}

/**
 * What `onEvent` receives for each decided request: `allowed`, `limited` (also in dry run, where the
 * request goes on), or `unavailable` (the store failed under `onStoreError: 'deny'`).
 */
export interface RateLimitEvent {
  type: 'allowed' | 'limited' | 'unavailable'
  info: RateLimitInfo
}

export type StoreErrorPolicy = 'fallback' | 'allow' | 'deny'
export type HeadersMode = 'draft' | 'legacy' | 'both' | false
/** express-rate-limit's `standardHeaders` values (`true` = `'draft-6'`). */
export type StandardHeadersDraft = 'draft-6' | 'draft-7' | 'draft-8'

/**
 * The fourth argument of `handler`: the request's `RateLimitInfo` plus the options that
 * express-rate-limit passes there, so a handler written for it (`res.status(options.statusCode).send(options.message)`) works.
 */
export interface LimitedHandlerOptions extends RateLimitInfo {
  statusCode: number
  /** The configured `message` (a function's result), or the default problem+json object. */
  message: string | object
  /** The binding policy's window in ms (express-rate-limit's `windowMs`). */
  windowMs: number
}

export type Awaitable<T> = T | Promise<T>
export type RequestFn<T> = (req: Request, res: Response) => Awaitable<T>

export interface UpstashRatelimitLike {
  limit(
    identifier: string,
    options?: { rate?: number },
  ): Promise<{ success: boolean; limit: number; remaining: number; reset: number; pending?: Promise<unknown> }>
  resetUsedTokens?(identifier: string): Promise<void>
  getRemaining?(identifier: string): Promise<{ remaining: number; reset: number } | number>
}

export interface RateLimitOptions {
  /** ioredis Redis/Cluster, @upstash/redis Redis or a RedisClient. Omitted: in-process memory backend (one warning). */
  redis?: RedisInput
  /** An @upstash/ratelimit `Ratelimit`: the middleware delegates counting to it (instead of `redis`). */
  limiter?: UpstashRatelimitLike
  /**
   * Shorthand for one policy. Default window `'1 m'`. A function of the request (possibly async)
   * gives a limit per request, e.g. per plan; `0` refuses every request.
   */
  limit?: number | RequestFn<number>
  window?: Duration
  /** Several policies, checked atomically in one call: all pass or nothing is charged. */
  policies?: PolicyOptions[]
  /** In-flight limit per key: a slot is held until the response finishes or the client disconnects. */
  concurrency?: number
  /** How long a slot can be held before it is considered leaked (crashed process). Default `'1 m'`. */
  leaseTimeout?: Duration
  /**
   * Default `'auto'`: an exact sliding log for policies of up to 1,000 per window, a token bucket
   * (GCRA) above. Either way a client that never sends more than `limit` in any `window` is never refused.
   */
  algorithm?: Algorithm
  /** The identity to count. Default `ipKey(req)`. */
  key?: RequestFn<string>
  /** Units a request costs (integer ≥ 0). Default 1. */
  cost?: number | RequestFn<number>
  /** Return true to let a request through uncounted. */
  skip?: RequestFn<boolean>
  /** IPs and CIDRs (`'10.0.0.0/8'`, `'2001:db8::/32'`) that are never limited, or a predicate. */
  allowList?: readonly string[] | RequestFn<boolean>
  /** Default `'both'`. */
  headers?: HeadersMode | true
  /**
   * express-rate-limit's header formats (instead of `headers`): `'draft-6'` (`RateLimit-Limit`,
   * `-Remaining`, `-Reset`), `'draft-7'` (one `RateLimit`), `'draft-8'` (our draft format); `true` = `'draft-6'`.
   */
  standardHeaders?: boolean | StandardHeadersDraft
  /** express-rate-limit's `X-RateLimit-*` headers, `X-RateLimit-Reset` as a Unix time (instead of `headers`). Default true when `standardHeaders` is set. */
  legacyHeaders?: boolean
  /** 429 body: a string (text/plain), an object (JSON) or a function of the request. Default problem+json. */
  message?: string | object | ((req: Request, res: Response, info: RateLimitInfo) => Awaitable<string | object>)
  /** Replaces the 429 response entirely; the same shape as express-rate-limit's `handler`. */
  handler?: (req: Request, res: Response, next: NextFunction, options: LimitedHandlerOptions) => unknown
  /** The request property that receives the `RateLimitInfo`. Default `'rateLimit'`. */
  requestPropertyName?: string
  /** What to do when Redis fails or times out. Default `'fallback'`. */
  onStoreError?: StoreErrorPolicy
  /** Called once per outage (and for each error in `'allow'`/`'deny'`-less cases). Default: console.warn once per outage. */
  onError?: (error: unknown) => void
  /** Called for each limited request (also in dry run). */
  onLimited?: (req: Request, info: RateLimitInfo) => void
  /** Called for each decided request (not for skipped or allow-listed ones): allowed, limited or unavailable. */
  onEvent?: (event: RateLimitEvent) => void
  /** Deadline for the Redis call (ms or duration string). Default: the client's (250 ms TCP, 1 s Upstash). */
  timeout?: Duration
  /** Key namespace. Default `'rl:'`. */
  prefix?: string
  /** Count and send headers, never reject. */
  dryRun?: boolean
  /** Refund the request's cost after the response when it succeeded (status < 400). */
  skipSuccessfulRequests?: boolean
  /** Refund the request's cost after the response when it failed (status ≥ 400 or aborted). */
  skipFailedRequests?: boolean
  /** Alias of `skipSuccessfulRequests`. */
  skipSuccessful?: boolean
  /** Alias of `skipFailedRequests`. */
  skipFailed?: boolean
  /** Decides success for the skip options. Default `res.statusCode < 400`. */
  requestWasSuccessful?: (req: Request, res: Response) => boolean
  /** Local cache of keys known to be blocked: `false` to disable, or `{ max }` entries. Default `{ max: 10000 }`. */
  blockCache?: false | { max?: number }
  /** IPv6 grouping for the default key. Default 64. */
  ipv6Subnet?: number | false
  /** HTTP status for limited requests. Default 429. */
  statusCode?: number
  /** Where one-time warnings go. Default console.warn. */
  warn?: (message: string) => void
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by @rediware/rate-limit; with stacked limiters the last one wins. */
    rateLimit?: RateLimitInfo
  }
}

/** Options of `createLimiter()`: the counting part of `rateLimit()`'s options, for use outside HTTP. */
export interface LimiterOptions
  extends Pick<
    RateLimitOptions,
    | 'redis'
    | 'limiter'
    | 'window'
    | 'policies'
    | 'algorithm'
    | 'onStoreError'
    | 'onError'
    | 'timeout'
    | 'prefix'
    | 'blockCache'
    | 'warn'
  > {
  /** Units allowed per window (one policy); per call, `limit(key, { limit })` replaces it. */
  limit?: number
}

export interface LimitCallOptions {
  /** Units this call costs (integer ≥ 0; 0 reads without charging). Default 1. */
  cost?: number
  /** This call's limit (one policy only), e.g. from the caller's plan; 0 refuses. Default the configured one. */
  limit?: number
}

/** A limiter for jobs, WebSockets and queues: the same scripts, decisions and outage policy as `rateLimit()`. */
export interface RateLimiter {
  /** Checks `key` and charges `cost` when every policy admits it. Never rejects on a store failure (see `onStoreError`). */
  limit(key: string, options?: LimitCallOptions): Promise<RateLimitInfo>
  /** The state of `key` per policy, without charging it; `limit` as in `limit(key, { limit })`. */
  get(key: string, limit?: number): Promise<PolicyState[]>
  /** Forgets everything counted for `key`. */
  reset(key: string): Promise<void>
  /** Alias of `reset` (express-rate-limit's name). */
  resetKey(key: string): Promise<void>
}
