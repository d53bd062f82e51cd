import { RedisStore } from '@rediware/session'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'ioredis'
import type { Scenario } from '../scenario.js'
import { sessionRoutes, sessionScenario } from './session-common.js'

export function sessionOurScenarios(): Scenario[] {
  return sessionRoutes.flatMap((route) => [
    sessionScenario(
      route,
      'rediware-ioredis',
      'rediware',
      'express-session + @rediware/session RedisStore (ioredis)',
      async (env, prefix) => new RedisStore({ redis: new Redis(env.redisUrl), prefix }),
    ),
    sessionScenario(
      route,
      'rediware-upstash',
      'rediware',
      'express-session + @rediware/session RedisStore (@upstash/redis, upstash-local)',
      async (env, prefix) =>
        new RedisStore({ redis: new UpstashRedis({ url: env.upstashUrl, token: env.upstashToken, enableTelemetry: false }), prefix }),
    ),
  ])
}
