import express, { type Express } from 'express'
import type { RedisClient } from '@rediware/redis'

export interface AppDependencies {
  redis: RedisClient
}

/** Builds the example app. Kept apart from `server.ts` so tests run it without listening. */
export function createApp({ redis }: AppDependencies): Express {
  const app = express()
  app.disable('x-powered-by')

  app.get('/health', async (_req, res) => {
    const reachable = await redis.ping().then(
      () => true,
      () => false,
    )
    res.status(reachable ? 200 : 503).json({ backend: redis.kind, state: redis.state, reachable })
  })

  return app
}
