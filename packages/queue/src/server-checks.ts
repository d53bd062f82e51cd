import { commands, type RedisClient } from '@rediware/redis'

/** Policies under which Redis may evict keys that have no TTL, such as a queue's. */
const evictsPersistentKeys = new Set(['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])

const checked = new WeakSet<RedisClient>()

/**
 * Reads `maxmemory-policy` once per client and warns when Redis could evict queue keys (jobs would
 * vanish). Servers that refuse CONFIG (managed services, Upstash, the memory backend) are skipped
 * silently: there is nothing to read.
 */
export async function warnIfEvicting(
  client: RedisClient,
  warn: (code: string, message: string) => void,
): Promise<void> {
  if (checked.has(client)) return
  checked.add(client)
  let reply: unknown
  try {
    ;[reply] = await client.batch([commands.raw('CONFIG', ['GET', 'maxmemory-policy'])])
  } catch {
    return
  }
  const policy = Array.isArray(reply) ? String(reply[1] ?? '') : ''
  if (evictsPersistentKeys.has(policy)) {
    warn(
      'maxmemory-policy',
      `@rediware/queue: Redis runs with maxmemory-policy ${policy}, so under memory pressure it may evict queue keys and jobs would be lost. Set maxmemory-policy to noeviction (or a volatile-* policy) on this server.`,
    )
  }
}
