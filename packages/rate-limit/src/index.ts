export { rateLimit, type RateLimitMiddleware } from './rate-limit.js'
export { ipKey, normalizeIp, type IpKeyOptions } from './ip-key.js'
export { upstashCompat, type UpstashCompatRedis } from './upstash-compat.js'
export type {
  Algorithm,
  DecisionSource,
  HeadersMode,
  PolicyOptions,
  PolicyState,
  RateLimitEvent,
  RateLimitInfo,
  RateLimitOptions,
  StoreErrorPolicy,
  UpstashRatelimitLike,
} from './types.js'
