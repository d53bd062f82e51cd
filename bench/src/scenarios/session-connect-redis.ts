import { RedisStore as RedisStore9 } from 'connect-redis'
import { RedisStore as RedisStore8 } from 'connect-redis-8'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import type { Scenario } from '../scenario.js'
import { sessionRoutes, sessionScenario } from './session-common.js'

/** connect-redis 8 still takes ioredis; connect-redis 9 takes node-redis (`redis` >= 5) only. */
export function sessionConnectRedisScenarios(): Scenario[] {
  return sessionRoutes.flatMap((route) => [
    sessionScenario(
      route,
      'connect-redis-8-ioredis',
      'peer',
      'express-session + connect-redis 8.1 (ioredis)',
      async (env, prefix) => new RedisStore8({ client: new Redis(env.redisUrl), prefix }),
    ),
    sessionScenario(
      route,
      'connect-redis-9-node-redis',
      'peer',
      'express-session + connect-redis 9.0 (node-redis 5)',
      async (env, prefix) => {
        const client = createClient({ url: env.redisUrl })
        await client.connect()
        return new RedisStore9({ client, prefix })
      },
    ),
  ])
}
