import { type Algorithm, rateLimit } from '@rediware/rate-limit'
import { Redis as UpstashRedis } from '@upstash/redis'
import express from 'express'
import { Redis } from 'ioredis'
import { responseBody } from '../body.js'
import type { Scenario } from '../scenario.js'
import { limitFor, type RateLimitPath } from './rate-limit-peers.js'

function appWith(redis: Redis | UpstashRedis, path: RateLimitPath, algorithm: Algorithm = 'sliding-window') {
  const app = express()
  app.use(
    rateLimit({
      redis,
      limit: limitFor(path),
      window: '1 m',
      algorithm,
      prefix: `bench:rediware:${path}:${algorithm}:`,
    }),
  )
  app.get('/', (_req, res) => {
    res.json(responseBody)
  })
  return app
}

export function rateLimitOurScenarios(): Scenario[] {
  return (['allowed', 'over-limit'] as const).flatMap((path) => {
    const group = `rate-limit ${path}`
    return [
      {
        id: `${group}/rediware-ioredis`,
        group,
        contender: 'rediware',
        label: '@rediware/rate-limit sliding-window (ioredis)',
        path: '/',
        build: async (env) => appWith(new Redis(env.redisUrl), path),
      },
      {
        id: `${group}/rediware-ioredis-auto`,
        group,
        contender: 'rediware',
        label: '@rediware/rate-limit auto, the default (ioredis)',
        path: '/',
        build: async (env) => appWith(new Redis(env.redisUrl), path, 'auto'),
      },
      {
        id: `${group}/rediware-upstash`,
        group,
        contender: 'rediware',
        label: '@rediware/rate-limit sliding-window (@upstash/redis, upstash-local)',
        path: '/',
        build: async (env) =>
          appWith(new UpstashRedis({ url: env.upstashUrl, token: env.upstashToken, enableTelemetry: false }), path),
      },
    ] satisfies Scenario[]
  })
}
