import type { RedisOptions } from 'ioredis'
import { ENV, requireEnv } from './env.js'

/**
 * Deadline of the suite clients. Generous, so a loaded 2-core CI machine does not turn a slow answer
 * into a spurious outage; tests of deadlines and outages build their own clients with short timeouts.
 */
export const suiteClientOptions = { timeout: 2000 }

export const redisOptions: RedisOptions = { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: true }

/** The local Cluster's masters, from the global setup. */
export function clusterNodes(): { host: string; port: number }[] {
  return requireEnv(ENV.clusterNodes)
    .split(',')
    .map((entry) => {
      const colon = entry.lastIndexOf(':')
      return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) }
    })
}
