import { Ratelimit } from '@upstash/ratelimit'
import { Redis as UpstashRedis } from '@upstash/redis'
import express, { type RequestHandler } from 'express'
import { rateLimit as expressRateLimit } from 'express-rate-limit'
import { Redis } from 'ioredis'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import { RedisStore } from 'rate-limit-redis'
import { responseBody } from '../body.js'
import type { Scenario, ScenarioEnvironment } from '../scenario.js'
import { bareExpress } from './baseline.js'

export type RateLimitPath = 'allowed' | 'over-limit'

/** Allowed path: a limit no run reaches. Over-limit path: one request per minute, then 429s. */
export const limitFor = (path: RateLimitPath): number => (path === 'allowed' ? 1_000_000_000 : 1)

function appWith(limiter: RequestHandler) {
  const app = express()
  app.use(limiter)
  app.get('/', (_req, res) => {
    res.json(responseBody)
  })
  return app
}

function expressRateLimitRedis(path: RateLimitPath, env: ScenarioEnvironment) {
  const redis = new Redis(env.redisUrl)
  return appWith(
    expressRateLimit({
      windowMs: 60_000,
      limit: limitFor(path),
      standardHeaders: 'draft-8',
      legacyHeaders: true,
      store: new RedisStore({
        prefix: `bench:erl:${path}:`,
        sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never,
      }),
    }),
  )
}

function rateLimiterFlexible(path: RateLimitPath, env: ScenarioEnvironment) {
  const limiter = new RateLimiterRedis({
    storeClient: new Redis(env.redisUrl),
    keyPrefix: `bench:rlf:${path}`,
    points: limitFor(path),
    duration: 60,
    inMemoryBlockOnConsumed: limitFor(path),
    inMemoryBlockDuration: 60,
  })
  return appWith((req, res, next) => {
    limiter.consume(req.ip ?? 'unknown').then(
      (result) => {
        res.set('X-RateLimit-Remaining', String(result.remainingPoints))
        next()
      },
      (rejection: unknown) => {
        if (rejection instanceof Error) return next(rejection)
        const msBeforeNext = (rejection as { msBeforeNext?: number }).msBeforeNext ?? 1000
        res
          .set('Retry-After', String(Math.ceil(msBeforeNext / 1000)))
          .status(429)
          .send('Too Many Requests')
      },
    )
  })
}

function upstashRatelimit(path: RateLimitPath, env: ScenarioEnvironment) {
  const ratelimit = new Ratelimit({
    redis: new UpstashRedis({ url: env.upstashUrl, token: env.upstashToken, enableTelemetry: false }),
    limiter: Ratelimit.slidingWindow(limitFor(path), '60 s'),
    prefix: `bench:upstash:${path}`,
    ephemeralCache: new Map(),
  })
  return appWith((req, res, next) => {
    ratelimit.limit(req.ip ?? 'unknown').then((result) => {
      res.set('X-RateLimit-Remaining', String(result.remaining))
      if (result.success) return next()
      res.status(429).send('Too Many Requests')
    }, next)
  })
}

export function rateLimitPeerScenarios(): Scenario[] {
  return (['allowed', 'over-limit'] as const).flatMap((path) => {
    const group = `rate-limit ${path}`
    return [
      bareExpress(group),
      {
        id: `${group}/express-rate-limit`,
        group,
        contender: 'peer',
        label: 'express-rate-limit 8 + rate-limit-redis 6 (ioredis)',
        path: '/',
        build: async (env) => expressRateLimitRedis(path, env),
      },
      {
        id: `${group}/rate-limiter-flexible`,
        group,
        contender: 'peer',
        label: 'rate-limiter-flexible 11 RateLimiterRedis (ioredis, inMemoryBlockOnConsumed)',
        path: '/',
        build: async (env) => rateLimiterFlexible(path, env),
      },
      {
        id: `${group}/upstash-ratelimit`,
        group,
        contender: 'peer',
        label: '@upstash/ratelimit 2 slidingWindow (upstash-local, ephemeral cache on)',
        path: '/',
        build: async (env) => upstashRatelimit(path, env),
      },
    ] satisfies Scenario[]
  })
}
