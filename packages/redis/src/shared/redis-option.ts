import { memoryClient } from '../adapters/memory.js'
import { toClient } from '../to-client.js'
import type { RedisClient } from '../types.js'
import { warnOnce } from '../warn-once.js'
import type { Hooks } from './hooks.js'
import type { OptionReader } from './options.js'

/** What a package does when its `redis` option is absent: it runs in this process, and says so once. */
export interface MemoryFallback {
  /** The `warnOnce` code: one warning per process, however many instances are created. */
  code: string
  /** What stays in this process without Redis, and what to pass in production. */
  warning: string
  warn: (message: string) => void
  /** The in-process client to use. Default: a new `memoryClient()`. */
  memory?: () => RedisClient
}

/**
 * The `redis` option every package takes: whatever client `toClient` accepts (a wrong value throws a
 * TypeError naming the package and the option), or, when absent, the in-process backend with one
 * warning per process.
 */
export function resolveRedisOption(reader: OptionReader, value: unknown, fallback: MemoryFallback): RedisClient {
  if (value !== undefined) return toClient(value, undefined, `${reader.scope}: redis`)
  warnOnce(fallback.code, fallback.warning, fallback.warn)
  return fallback.memory ? fallback.memory() : memoryClient()
}

/** What every package's options resolve to for the words they share: `redis`, `prefix`, `timeout` and the hooks. */
export interface ResolvedSharedOptions<E> {
  client: RedisClient
  prefix: string
  /** Per-call deadline, or undefined for the client's. */
  timeout: number | undefined
  hooks: Hooks<E>
}
