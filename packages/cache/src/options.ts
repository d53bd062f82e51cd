import type { Duration, HookOptions, RedisInput } from '@rediware/redis'
import type { Request } from 'express'
import type { InvalidationBus } from './local-tier.js'

/**
 * What `onEvent` receives. `detail` carries the reason of a bypass (the same token as in `Cache-Status`),
 * or `local` on a hit the in-process tier answered.
 */
export interface CacheEvent {
  type: 'hit' | 'stale' | 'miss' | 'bypass' | 'store' | 'lock-wait' | 'collapse-wait' | 'refresh'
  /** URL path of the request (route events); the key for getOrSet events. */
  path: string
  detail?: string
}

/** Options of `createCache()`: where entries live and how failures are reported. */
export interface CacheOptions extends HookOptions<CacheEvent> {
  /** ioredis `Redis`/`Cluster`, node-redis client/cluster, `@upstash/redis` `Redis`, or a `RedisClient`. Omitted: in-process memory (one warning). */
  redis?: RedisInput
  /** Namespaces every key. Default `'cache:'`. */
  prefix?: string
  /** Deadline of each Redis call (ms or `'250 ms'`). Default: the client's own (250 ms over TCP, 1 s over HTTP). */
  timeout?: Duration
  /** Name used in `Cache-Status` (RFC 9211). Default `'rediware'`. */
  name?: string
  /** Clock in Unix ms for freshness decisions (tests). Default `Date.now`. */
  now?: () => number
  /**
   * An in-process tier in front of Redis for route entries, so a hit on a hot route skips Redis. Kept
   * coherent across processes by invalidation announcements over `realtime` (a `createRealtime()` on
   * the same Redis). Default: off.
   */
  local?: LocalOptions
}

/** Options of the in-process tier (`createCache({ local })`). */
export interface LocalOptions {
  /** Most entries kept; the least recently used go first. From 1 to 1 000 000. */
  maxEntries: number
  /** Carries invalidations between processes: `createRealtime({ redis })` from `@rediware/realtime`. */
  realtime: InvalidationBus
  /**
   * Longest a local entry is served without reading Redis (never past its own `ttl`): the bound on
   * staleness if an announcement is lost. Default `'10 s'`.
   */
  maxAge?: Duration
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
  /**
   * The route answers the same to everyone, signed in or not: requests that carry credentials (Cookie,
   * Authorization, a TLS client certificate) share its entries (RFC 9111's `public`). Default false:
   * such requests go to the handler, never to an entry.
   */
  public?: boolean
  /** Cookie names that identify nobody (analytics, consent; `'_ga*'` prefixes allowed): they do not make a request credentialed. */
  ignoreCookies?: readonly string[]
  /** Statuses that may be stored. Default 200, 203, 204, 300, 301, 404, 410. 5xx never. */
  statuses?: readonly number[]
  /** Larger bodies pass through uncached, and a hit never decompresses past it. Bytes, default 1 048 576 (1 MB). */
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
