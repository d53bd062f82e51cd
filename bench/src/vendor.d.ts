// Minimal types for the untyped peers the bench loads (only what the scenarios call).

declare module 'apicache' {
  import type { RequestHandler } from 'express'

  interface ApicacheOptions {
    /** A node-redis v3 client: apicache checks `.connected` and calls `hset`/`hgetall` with callbacks. */
    redisClient?: unknown
    defaultDuration?: string
    debug?: boolean
  }

  interface Apicache {
    middleware(duration?: string): RequestHandler
    newInstance(options?: ApicacheOptions): Apicache
  }

  const apicache: Apicache
  export default apicache
}

declare module 'redis-v3' {
  interface RedisClientV3 {
    readonly connected: boolean
    once(event: 'ready', listener: () => void): this
    once(event: 'error', listener: (error: Error) => void): this
  }

  const redis: { createClient(url: string): RedisClientV3 }
  export default redis
}
