import { createHash } from 'node:crypto'

type Arg = string | number

/** The part of an ioredis `Redis`/`Cluster` the compat layer uses. */
export interface IoredisScriptingLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: Arg[]): Promise<unknown>
  eval(script: string, numKeys: number, ...keysAndArgs: Arg[]): Promise<unknown>
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<'OK' | null>
  del(...keys: string[]): Promise<number>
}

/**
 * What @upstash/ratelimit calls on its `redis` for the single-region algorithms, typed as @upstash/redis
 * types them (the caller names the reply type), so a `Ratelimit` takes it as `redis` without a cast.
 */
export interface UpstashCompatRedis {
  evalsha<TArgs extends unknown[], TData = unknown>(sha1: string, keys: string[], args: TArgs): Promise<TData>
  eval<TArgs extends unknown[], TData = unknown>(script: string, keys: string[], args: TArgs): Promise<TData>
  get<TData = string>(key: string): Promise<TData | null>
  set<TData>(key: string, value: TData): Promise<'OK' | TData | null>
  del(...keys: string[]): Promise<number>
}

const stripShebang = (script: string): string => script.replace(/^\s*#![^\n]*\n/, '')
const toArg = (value: unknown): Arg =>
  typeof value === 'number' ? value : typeof value === 'string' ? value : JSON.stringify(value)

/**
 * Wraps an ioredis client so an @upstash/ratelimit `Ratelimit` accepts it as `redis`, letting an
 * Upstash setup run unchanged on self-hosted Redis: scripts go out in ioredis' numkeys form, the
 * Upstash-only `#!lua flags=allow-key-locking` shebang (which OSS Redis rejects) is stripped, and
 * Upstash's script hashes are mapped to the hashes of the stripped scripts. Single-region
 * algorithms only (no deny lists, analytics or multi-region).
 */
export function upstashCompat(redis: IoredisScriptingLike): UpstashCompatRedis {
  const shas = new Map<string, string>()
  // As with @upstash/redis, the reply type is the caller's claim: Redis replies are not checked here.
  return {
    async evalsha<TArgs extends unknown[], TData>(sha: string, keys: string[], args: TArgs): Promise<TData> {
      const mapped = shas.get(sha)
      // Unknown hash: answer NOSCRIPT so the caller sends the script with eval().
      if (mapped === undefined) throw new Error('NOSCRIPT No matching script (upstashCompat).')
      return (await redis.evalsha(mapped, keys.length, ...keys, ...args.map(toArg))) as TData
    },
    async eval<TArgs extends unknown[], TData>(script: string, keys: string[], args: TArgs): Promise<TData> {
      const stripped = stripShebang(script)
      shas.set(createHash('sha1').update(script).digest('hex'), createHash('sha1').update(stripped).digest('hex'))
      return (await redis.eval(stripped, keys.length, ...keys, ...args.map(toArg))) as TData
    },
    get: async <TData>(key: string) => (await redis.get(key)) as TData | null,
    set: <TData>(key: string, value: TData) =>
      redis.set(key, typeof value === 'string' ? value : JSON.stringify(value)),
    del: (...keys) => redis.del(...keys),
  }
}
