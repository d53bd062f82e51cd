export { fromIoredis, type IoredisAdapterOptions } from './adapters/ioredis.js'
export { memoryClient, type MemoryClientOptions } from './adapters/memory.js'
export { fromUpstash, type UpstashAdapterOptions } from './adapters/upstash.js'
export type { BreakerOptions } from './circuit-breaker.js'
export type { ClientOptions } from './client-options.js'
export { commands } from './commands.js'
export { createClient, type CreateClientOptions, type Environment } from './create-client.js'
export { type Duration, type DurationUnit, parseDuration, describeValue } from './duration.js'
export { isRedisClientError, isUnavailableError, RedisClientError, type RedisErrorCode } from './errors.js'
export { buildKey, hashKeyPart, hashTag } from './keys.js'
export { slotSource } from './adapters/slots.js'
export { defineScript } from './script.js'
export { isRedisClient, toClient, type RedisInput } from './to-client.js'
export type {
  Arg,
  BackendKind,
  CallOptions,
  ClientState,
  Command,
  CommandResults,
  ExpireOptions,
  LocalRedis,
  RangeByScoreOptions,
  RedisClient,
  Reply,
  ScanOptions,
  ScoredMember,
  Script,
  ScriptDefinition,
  SetOptions,
} from './types.js'
export { warnOnce } from './warn-once.js'
