import type { NextFunction, Request, Response } from 'express'
import { CacheCore } from './core.js'
import { getOrSet, keyTag, valueKey } from './get-or-set.js'
import type { CacheOptions, GetOrSetOptions, RouteOptions } from './options.js'
import { canonicalPath, pathTag } from './request-url.js'
import { reader, resolveCacheOptions, resolveOneOffOptions, resolveRouteOptions } from './resolve-options.js'
import { createRouteMiddleware } from './route-middleware.js'

/**
 * The middleware `route()` and `cache()` return: an Express handler generic over the request's types,
 * so the route parameters Express infers from the path (`/products/:id`) reach the next handler.
 */
export type CacheMiddleware = <P, ResBody, ReqBody, ReqQuery, Locals extends Record<string, unknown>>(
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>,
  res: Response<ResBody, Locals>,
  next: NextFunction,
) => void

export interface InvalidateTarget {
  /** Tags given to `route({ tags })` or `getOrSet(…, { tags })`. */
  tags?: readonly string[]
  /** URL paths (`/api/products/42`): every query and vary variant of each path, and every alias the router matches. */
  paths?: readonly string[]
}

export interface WrapOptions<A extends unknown[]> extends GetOrSetOptions {
  /** Cache key from the call's arguments. */
  key: (...args: A) => string
}

export interface Cache {
  /** Middleware caching the responses of the routes it is mounted on. */
  route(options?: RouteOptions): CacheMiddleware
  /** Marks every entry with one of these tags or paths as invalid, on every instance. Rejects if the backend fails. */
  invalidate(target: InvalidateTarget): Promise<void>
  /** Cache-aside: the cached value, or the loader's (run once for concurrent callers), stored for `ttl`. */
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options: GetOrSetOptions): Promise<Awaited<T>>
  /** Removes a `getOrSet` value; a loader already running for it will not store its (older) result as valid. */
  delete(key: string): Promise<void>
  /** Wraps a function so calls with the same key share one cached result. */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R | Promise<R>,
    options: WrapOptions<A>,
  ): (...args: A) => Promise<Awaited<R>>
}

function listOf(value: unknown, name: string): readonly string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw reader.typeError(`invalidate: ${name} must be an array of non-empty strings.`)
  }
  return value as string[]
}

function buildCache(core: CacheCore): Cache {
  return {
    route: (options) => createRouteMiddleware(core, resolveRouteOptions(options)) as CacheMiddleware,
    invalidate: async (target) => {
      if (typeof target !== 'object' || target === null)
        throw reader.typeError('invalidate: pass { tags: [...] } and/or { paths: [...] }.')
      const tags = listOf(target.tags, 'tags')
      const paths = listOf(target.paths, 'paths').map((path) => pathTag(canonicalPath(path.split('?')[0] ?? path)))
      await core.invalidate([...tags, ...paths])
    },
    getOrSet: (key, loader, options) => getOrSet(core, key, loader, options),
    delete: async (key) => {
      await core.invalidate([keyTag(key)])
      await core.client.del(valueKey(core, key), core.callOptions)
    },
    wrap: (fn, options) => {
      if (typeof fn !== 'function') throw reader.typeError('wrap: the first argument must be the function to cache.')
      if (typeof options !== 'object' || options === null || typeof options.key !== 'function') {
        throw reader.typeError(
          "wrap: options.key must be a function building the cache key from the arguments, such as (id) => 'user:' + id.",
        )
      }
      const { key, ...rest } = options
      return (...args) => getOrSet(core, key(...args), () => fn(...args), rest)
    },
  }
}

/** A cache over one backend: route middleware, invalidation and cache-aside helpers sharing it. */
export function createCache(options: CacheOptions = {}): Cache {
  return buildCache(new CacheCore(resolveCacheOptions(options)))
}

/** One-off middleware: `createCache(options).route(options)` in one call. */
export function cache(options: CacheOptions & RouteOptions = {}): CacheMiddleware {
  const resolved = resolveOneOffOptions(options)
  return createRouteMiddleware(new CacheCore(resolved.cache), resolved.route) as CacheMiddleware
}
