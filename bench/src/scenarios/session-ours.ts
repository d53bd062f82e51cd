import type { RedisInput } from '@rediware/redis'
import { RedisStore, session } from '@rediware/session'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import type { Scenario } from '../scenario.js'
import {
  sessionMaxAgeMs,
  sessionMiddlewareScenario,
  sessionRoutes,
  sessionScenario,
  sessionSecret,
} from './session-common.js'

/** A connected node-redis client; its connection drops when the benchmark stops redis-server: no crash then. */
async function nodeRedis(url: string) {
  const client = createClient({ url })
  client.on('error', () => undefined)
  return client.connect()
}

/** session(): express-session with our store and its safe defaults, the rows' shared cookie settings. */
function ourSession(redis: RedisInput, prefix: string) {
  const middleware = session({ redis, prefix, secret: sessionSecret, cookie: { maxAge: sessionMaxAgeMs } })
  return { middleware, store: middleware.store }
}

export function sessionOurScenarios(): Scenario[] {
  return sessionRoutes.flatMap((route) => [
    sessionScenario(
      route,
      'rediware-ioredis',
      'rediware',
      'express-session + @rediware/session RedisStore (ioredis)',
      async (env, prefix) => new RedisStore({ redis: new Redis(env.redisUrl), prefix }),
    ),
    // session(): express-session with our store and its safe defaults (httpOnly, sameSite 'lax'),
    // resave and saveUninitialized off like every other row.
    sessionMiddlewareScenario(
      route,
      'rediware-session-ioredis',
      'rediware',
      '@rediware/session session() (ioredis)',
      async (env, prefix) => ourSession(new Redis(env.redisUrl), prefix),
    ),
    // The same client as connect-redis 9 (node-redis), so the two stores are compared on equal terms.
    sessionScenario(
      route,
      'rediware-node-redis',
      'rediware',
      'express-session + @rediware/session RedisStore (node-redis 5)',
      async (env, prefix) => new RedisStore({ redis: await nodeRedis(env.redisUrl), prefix }),
    ),
    sessionMiddlewareScenario(
      route,
      'rediware-session-node-redis',
      'rediware',
      '@rediware/session session() (node-redis 5)',
      async (env, prefix) => ourSession(await nodeRedis(env.redisUrl), prefix),
    ),
    sessionScenario(
      route,
      'rediware-upstash',
      'rediware',
      'express-session + @rediware/session RedisStore (@upstash/redis, upstash-local)',
      async (env, prefix) =>
        new RedisStore({
          redis: new UpstashRedis({ url: env.upstashUrl, token: env.upstashToken, enableTelemetry: false }),
          prefix,
        }),
    ),
  ])
}
