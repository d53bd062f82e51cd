export {
  type Cache,
  type CacheMiddleware,
  cache,
  createCache,
  type InvalidateTarget,
  type WrapOptions,
} from './create-cache.js'
export {
  type CacheEvent,
  type CacheOptions,
  defaultStatuses,
  type GetOrSetOptions,
  type LocalOptions,
  type RouteOptions,
  type ScopeValue,
} from './options.js'
export type { InvalidationBus, InvalidationMessage } from './local-tier.js'
