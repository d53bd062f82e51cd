import { fromIoredis } from './adapters/ioredis.js'
import { isIoredisLike } from './adapters/ioredis-like.js'
import { fromNodeRedis } from './adapters/node-redis.js'
import { isNodeRedisLike } from './adapters/node-redis-like.js'
import { fromUpstash } from './adapters/upstash.js'
import { isUpstashLike } from './adapters/upstash-like.js'
import type { ClientOptions } from './client-options.js'
import { describeValue } from './duration.js'
import { hasMethods } from './has-methods.js'
import type { RedisClient } from './types.js'

export const isRedisClient = (value: unknown): value is RedisClient =>
  hasMethods(value, ['runScript', 'batch', 'onStateChange']) && typeof value.kind === 'string'

/**
 * Anything `toClient` accepts: a `RedisClient`, an ioredis `Redis`/`Cluster`, a node-redis client or
 * cluster, or an `@upstash/redis` client.
 */
export type RedisInput = RedisClient | object

/**
 * Accepts a `RedisClient`, an ioredis `Redis` or `Cluster`, a node-redis `createClient()` or
 * `createCluster()` (connected), or an `@upstash/redis` `Redis`, detected
 * by their public API. Anything else throws a TypeError saying what was given.
 */
export function toClient(value: unknown, options?: ClientOptions, optionName = 'redis'): RedisClient {
  if (isRedisClient(value)) return value
  if (isIoredisLike(value)) return fromIoredis(value, options)
  if (isNodeRedisLike(value)) return fromNodeRedis(value, options)
  if (isUpstashLike(value)) return fromUpstash(value, options)
  throw new TypeError(
    `${optionName} must be an ioredis Redis or Cluster, an @upstash/redis Redis, or a RedisClient from @rediware/redis, or a node-redis client or cluster; got ${describeValue(value)}.`,
  )
}
