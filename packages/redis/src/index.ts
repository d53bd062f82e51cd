export { fromIoredis, type IoredisAdapterOptions } from './adapters/ioredis.js'
export { fromNodeRedis, type NodeRedisAdapterOptions } from './adapters/node-redis.js'
export { memoryClient, type MemoryClientOptions } from './adapters/memory.js'
export { fromUpstash, type UpstashAdapterOptions } from './adapters/upstash.js'
export type { BreakerOptions } from './circuit-breaker.js'
export type { ClientOptions } from './client-options.js'
export { commands } from './commands.js'
export { createClient, type CreateClientOptions, type Environment } from './create-client.js'
export { type Duration, type DurationUnit, parseDuration, describeValue } from './duration.js'
export { CodedError, isRedisClientError, isUnavailableError, RedisClientError, type RedisErrorCode } from './errors.js'
export { buildKey, hashKeyPart, hashTag, keyPart } from './keys.js'
export { keySlot, slotSource } from './adapters/slots.js'
export { defineScript } from './script.js'
export { isRedisClient, toClient, type RedisInput } from './to-client.js'
export type * from './types.js'
export { warnOnce } from './warn-once.js'
/**
 * Internal plumbing shared by the rediware packages (option parsing, hooks, outage reporting, key
 * layout). Exported for our own packages; not a stable public API.
 */
export {
  type HookOptions,
  type Hooks,
  KeyGroup,
  KeyLayout,
  MAX_PREFIX_LENGTH,
  type NumberBounds,
  type MemoryFallback,
  type ObjectCheck,
  type OptionNames,
  OptionReader,
  OutageReporter,
  type OutageReporterOptions,
  optionReader,
  type ResolvedSharedOptions,
  resolveHooks,
  resolveRedisOption,
} from './shared/index.js'
