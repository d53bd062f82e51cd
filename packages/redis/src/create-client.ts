import { httpCapabilities, tcpCapabilities } from './adapters/capabilities.js'
import { IoredisTransport } from './adapters/ioredis.js'
import { memoryClient } from './adapters/memory.js'
import { UpstashTransport } from './adapters/upstash.js'
import { type ClientOptions, resolveClientOptions } from './client-options.js'
import { ManagedClient } from './client.js'
import { LazyTransport } from './lazy-transport.js'
import type { IoredisLike } from './adapters/ioredis-like.js'
import type { UpstashLike } from './adapters/upstash-like.js'
import type { RedisClient } from './types.js'
import { warnOnce } from './warn-once.js'

export type Environment = Readonly<Record<string, string | undefined>>

export interface CreateClientOptions extends ClientOptions {
  /** Where the memory-backend warning goes. Default `console.warn`. */
  warn?: (message: string) => void
}

interface IoredisModule {
  Redis: new (url: string, options: Record<string, unknown>) => IoredisLike
  Cluster: new (nodes: { host: string; port: number }[], options: Record<string, unknown>) => IoredisLike
}

interface UpstashModule {
  Redis: new (config: Record<string, unknown>) => UpstashLike
}

export function parseClusterNodes(value: string): { host: string; port: number }[] {
  return value.split(',').map((entry) => {
    const trimmed = entry.trim()
    const separator = trimmed.lastIndexOf(':')
    const host = trimmed.slice(0, separator).replace(/^\[|\]$/g, '')
    const port = Number(trimmed.slice(separator + 1))
    if (separator <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new TypeError(
        `REDIS_CLUSTER_NODES: "${trimmed}" is not host:port. Use a comma-separated list such as "10.0.0.1:7000,10.0.0.2:7000".`,
      )
    }
    return { host, port }
  })
}

async function importOptional<T>(name: string): Promise<T> {
  try {
    const loaded = (await import(name)) as T & { default?: T }
    // A CommonJS driver loaded from ESM may expose its named exports only on `default`.
    return { ...loaded.default, ...loaded }
  } catch (error) {
    throw new Error(`${name} is not installed. Run \`npm install ${name}\` to use it.`, { cause: error })
  }
}

/** Connection settings under which ioredis reconnects quietly and never queues commands for long. */
const ioredisDefaults = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
}

/**
 * Builds a client from the environment: `REDIS_CLUSTER_NODES` (host:port,…) → ioredis Cluster;
 * `REDIS_URL` → ioredis; `UPSTASH_REDIS_REST_URL` + `UPSTASH_REDIS_REST_TOKEN` → @upstash/redis; none
 * → the in-process memory backend, with one warning that it is single-process only. The driver is
 * loaded and connected on first use; `close()` ends the connection.
 */
export function createClient(env: Environment = process.env, options: CreateClientOptions = {}): RedisClient {
  const resolved = (defaultTimeout: number) => resolveClientOptions(options, defaultTimeout)
  if (env.REDIS_CLUSTER_NODES) {
    const nodes = parseClusterNodes(env.REDIS_CLUSTER_NODES)
    const transport = new LazyTransport('cluster', tcpCapabilities(true), async () => {
      const { Cluster } = await importOptional<IoredisModule>('ioredis')
      return new IoredisTransport(new Cluster(nodes, { redisOptions: ioredisDefaults }))
    })
    return new ManagedClient(transport, resolved(250), true)
  }
  if (env.REDIS_URL) {
    const url = env.REDIS_URL
    const transport = new LazyTransport('ioredis', tcpCapabilities(false), async () => {
      const { Redis } = await importOptional<IoredisModule>('ioredis')
      return new IoredisTransport(new Redis(url, ioredisDefaults))
    })
    return new ManagedClient(transport, resolved(250), true)
  }
  if (env.UPSTASH_REDIS_REST_URL || env.UPSTASH_REDIS_REST_TOKEN) {
    const url = env.UPSTASH_REDIS_REST_URL
    const token = env.UPSTASH_REDIS_REST_TOKEN
    if (!url || !token)
      throw new TypeError('Set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN to use Upstash.')
    const transport = new LazyTransport('upstash', httpCapabilities, async () => {
      const { Redis } = await importOptional<UpstashModule>('@upstash/redis')
      return new UpstashTransport(new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false }))
    })
    return new ManagedClient(transport, resolved(1000), true)
  }
  warnOnce(
    'memory-backend',
    '[rediware] No REDIS_URL, REDIS_CLUSTER_NODES or UPSTASH_REDIS_REST_URL set: using the in-process memory backend. It is single-process only: limits, cache entries and sessions are not shared between processes and are lost on restart.',
    options.warn,
  )
  return memoryClient(options)
}
