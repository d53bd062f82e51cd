import { cache, createCache } from '@rediware/cache'
import { createRealtime } from '@rediware/realtime'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'ioredis'
import type { Scenario } from '../scenario.js'
import { cachedApp, cacheHitGroup, coldKeyHandlerRuns } from './cache-common.js'

export function cacheOurScenarios(): Scenario[] {
  const group = cacheHitGroup
  return [
    {
      id: `${group}/rediware-ioredis`,
      group,
      contender: 'rediware',
      label: "@rediware/cache cache({ ttl: '5 m' }) (ioredis)",
      path: '/',
      extra: coldKeyHandlerRuns,
      build: async (env) =>
        cachedApp(cache({ redis: new Redis(env.redisUrl), ttl: '5 m', prefix: 'bench:cache:ioredis:' })),
    },
    {
      id: `${group}/rediware-ioredis-local`,
      group,
      contender: 'rediware',
      label: '@rediware/cache createCache({ local: { maxEntries: 1000, realtime } }) (ioredis)',
      path: '/',
      extra: coldKeyHandlerRuns,
      build: async (env) => {
        const redis = new Redis(env.redisUrl)
        const realtime = createRealtime({ redis, prefix: 'bench:cache:rt:' })
        return cachedApp(
          createCache({ redis, prefix: 'bench:cache:local:', local: { maxEntries: 1000, realtime } }).route({
            ttl: '5 m',
          }),
        )
      },
    },
    {
      id: `${group}/rediware-upstash`,
      group,
      contender: 'rediware',
      label: "@rediware/cache cache({ ttl: '5 m' }) (@upstash/redis, upstash-local)",
      path: '/',
      extra: coldKeyHandlerRuns,
      build: async (env) =>
        cachedApp(
          cache({
            redis: new UpstashRedis({ url: env.upstashUrl, token: env.upstashToken, enableTelemetry: false }),
            ttl: '5 m',
            prefix: 'bench:cache:upstash:',
          }),
        ),
    },
  ]
}
