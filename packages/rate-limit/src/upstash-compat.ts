import { createHash } from 'node:crypto'

type Arg = string | number

/** The part of an ioredis `Redis`/`Cluster` the compat layer uses. */
export interface IoredisScriptingLike {
  evalsha(sha: string, numKeys: number, ...keysAndArgs: Arg[]): Promise<unknown>
  eval(script: string, numKeys: number, ...keysAndArgs: Arg[]): Promise<unknown>
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<unknown>
  del(...keys: string[]): Promise<number>
}

/** What @upstash/ratelimit calls on its `redis` for the single-region algorithms. */
export interface UpstashCompatRedis {
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>
  get(key: string): Promise<string | null>
  set(key: string, value: unknown): Promise<unknown>
  del(...keys: string[]): Promise<number>
}

const stripShebang = (script: string): string => script.replace(/^\s*#![^\n]*\n/, '')
const toArg = (value: unknown): Arg => (typeof value === 'number' ? value : typeof value === 'string' ? value : JSON.stringify(value))

/**
 * Wraps an ioredis client so an @upstash/ratelimit `Ratelimit` accepts it as `redis`, letting an
 * Upstash setup run unchanged on self-hosted Redis: scripts go out in ioredis' numkeys form, the
 * Upstash-only `#!lua flags=allow-key-locking` shebang (which OSS Redis rejects) is stripped, and
 * Upstash's script hashes are mapped to the hashes of the stripped scripts. Single-region
 * algorithms only (no deny lists, analytics or multi-region).
 */
export function upstashCompat(redis: IoredisScriptingLike): UpstashCompatRedis {
  const shas = new Map<string, string>()
  return {
    async evalsha(sha, keys, args) {
      const mapped = shas.get(sha)
      // Unknown hash: answer NOSCRIPT so the caller sends the script with eval().
      if (mapped === undefined) throw new Error('NOSCRIPT No matching script (upstashCompat).')
      return redis.evalsha(mapped, keys.length, ...keys, ...args.map(toArg))
    },
    async eval(script, keys, args) {
      const stripped = stripShebang(script)
      shas.set(createHash('sha1').update(script).digest('hex'), createHash('sha1').update(stripped).digest('hex'))
      return redis.eval(stripped, keys.length, ...keys, ...args.map(toArg))
    },
    get: (key) => redis.get(key),
    set: (key, value) => redis.set(key, typeof value === 'string' ? value : JSON.stringify(value)),
    del: (...keys) => redis.del(...keys),
  }
}
