import { createCache } from '@rediware/cache'
import { rateLimit } from '@rediware/rate-limit'
import type { RedisClient } from '@rediware/redis'
import { SessionStoreUnavailableError, session } from '@rediware/session'
import express, { type ErrorRequestHandler, type Express } from 'express'

declare module 'express-session' {
  interface SessionData {
    value?: string
    bumps?: number
  }
}

export interface ChaosAppOptions {
  redis: RedisClient
  /** Namespace of every key of this run. */
  prefix: string
  /** Limit of the exactness probe (`/probe/limit/:key`), per key, over 10 minutes. */
  probeLimit: number
  /** Adds `/selftest/*` routes that misbehave on purpose, so a test can prove the runner notices. */
  selfTest?: boolean
  /** Reports an error that reached the app's error handler and was not a store-unavailable 503 (for the run's figures). */
  onServerError: (error: unknown, outcome: string) => void
}

const SECRET = 'chaos-run-secret-0123456789abcdef0123456789abcdef'

/**
 * An app using all three packages. `/api/*` is what the load hits; `/probe/*` is what the
 * recovery checks use (a limiter keyed by the path, so a fresh key gets exactly `probeLimit`).
 */
export function createChaosApp({
  redis,
  prefix,
  probeLimit,
  selfTest = false,
  onServerError,
}: ChaosAppOptions): Express {
  const app = express()
  app.disable('x-powered-by')
  const quiet = (): undefined => undefined
  // High enough that the load itself is never limited: this limiter is there to be exercised.
  const apiLimiter = rateLimit({
    redis,
    prefix: `${prefix}rl:api:`,
    limit: 1_000_000,
    window: '1 m',
    warn: quiet,
    onError: quiet,
  })
  const probeLimiter = rateLimit({
    redis,
    prefix: `${prefix}rl:probe:`,
    limit: probeLimit,
    window: '10 m',
    key: (req) => `probe:${String(req.params.key)}`,
    warn: quiet,
    onError: quiet,
  })
  const cache = createCache({ redis, prefix: `${prefix}cache:`, onError: quiet })
  const sessions = session({
    redis,
    secret: SECRET,
    name: 'chaos.sid',
    prefix: `${prefix}sess:`,
    ttl: 3600,
    cookie: { secure: false },
    warn: quiet,
  })

  app.get('/health', async (_req, res) => {
    const reachable = await redis.ping().then(
      () => true,
      () => false,
    )
    res.status(reachable && redis.state === 'ready' ? 200 : 503).json({ state: redis.state, reachable })
  })

  app.use('/api', apiLimiter)
  app.get('/api/items/:id', cache.route({ ttl: '10 m' }), (req, res) => {
    res.json({ id: String(req.params.id), pid: process.pid, at: Date.now() })
  })
  app.post('/api/session', sessions, (req, res) => {
    req.session.value = String(req.query.value ?? '')
    res.json({ created: true })
  })
  app.get('/api/session', sessions, (req, res) => {
    if (req.session.value === undefined) {
      res.status(401).json({ error: 'no session' })
      return
    }
    res.json({ value: req.session.value, bumps: req.session.bumps ?? 0 })
  })
  app.post('/api/session/bump', sessions, (req, res) => {
    req.session.bumps = (req.session.bumps ?? 0) + 1
    res.json({ bumps: req.session.bumps })
  })

  app.post('/api/session/logout', sessions, (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ loggedOut: true })))
  })

  app.get('/probe/limit/:key', probeLimiter, (_req, res) => {
    res.json({ admitted: true })
  })

  if (selfTest) {
    app.get('/selftest/reject', (_req, res) => {
      void Promise.reject(new Error('self-test rejection'))
      res.json({ rejected: true })
    })
    app.get('/selftest/hang', () => undefined)
    app.get('/selftest/throw', (_req, res) => {
      setImmediate(() => {
        throw new Error('self-test exception')
      })
      res.json({ thrown: true })
    })
  }

  const errors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      // Express' final handler destroys the socket: the client sees a reset, not an answer.
      onServerError(error, 'after the headers were sent')
      next(error)
      return
    }
    if (error instanceof SessionStoreUnavailableError) {
      res.status(503).json({ error: 'session store unavailable' })
      return
    }
    onServerError(error, 'answered 500')
    res.status(500).json({ error: 'internal error' })
  }
  app.use(errors)
  return app
}
