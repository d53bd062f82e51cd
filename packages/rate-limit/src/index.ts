export { createLimiter } from './create-limiter.js'
export { rateLimit, type RateLimitMiddleware } from './rate-limit.js'
export { ipKey, normalizeIp, type IpKeyOptions } from './ip-key.js'
export { upstashCompat, type UpstashCompatRedis } from './upstash-compat.js'
export type {
  Algorithm,
  DecisionSource,
  HeadersMode,
  LimitCallOptions,
  LimitedHandlerOptions,
  LimiterOptions,
  PolicyOptions,
  PolicyState,
  RateLimitEvent,
  RateLimitInfo,
  RateLimitOptions,
  RateLimiter,
  StandardHeadersDraft,
  StoreErrorPolicy,
  UpstashRatelimitLike,
} from './types.js'
