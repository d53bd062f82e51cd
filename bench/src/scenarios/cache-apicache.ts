import apicache from 'apicache'
import redisV3 from 'redis-v3'
import type { Scenario } from '../scenario.js'
import { cachedApp, cacheHitGroup, coldKeyHandlerRuns } from './cache-common.js'

/**
 * apicache 1.6.3 keeps entries in memory, or in Redis when given a node-redis v3 client: it reads
 * `client.connected` and calls `hset`/`hgetall` with callbacks, so ioredis (no `connected`) and
 * node-redis 4+ (promises) silently turn every request into a miss. redis@3 runs on Node 20.
 */
async function redisV3Client(url: string) {
  const client = redisV3.createClient(url)
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve)
    client.once('error', reject)
  })
  return client
}

export function cacheApicacheScenarios(): Scenario[] {
  const group = cacheHitGroup
  return [
    {
      id: `${group}/apicache-memory`,
      group,
      contender: 'in-process peer',
      label: 'apicache 1.6 (memory)',
      path: '/',
      extra: coldKeyHandlerRuns,
      build: async () => cachedApp(apicache.newInstance({ defaultDuration: '5 minutes' }).middleware('5 minutes')),
    },
    {
      id: `${group}/apicache-redis`,
      group,
      contender: 'peer',
      label: 'apicache 1.6 (Redis, node-redis v3 client: redis@3.1.2)',
      path: '/',
      extra: coldKeyHandlerRuns,
      build: async (env) => {
        const redisClient = await redisV3Client(env.redisUrl)
        return cachedApp(apicache.newInstance({ defaultDuration: '5 minutes', redisClient }).middleware('5 minutes'))
      },
    },
  ]
}
