import { createCache } from '@rediware/cache'
import { rateLimit } from '@rediware/rate-limit'
import type { Realtime } from '@rediware/realtime'
import type { RedisClient } from '@rediware/redis'
import { rotateSession, SessionStoreUnavailableError, session } from '@rediware/session'
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express'
import { type AppConfig, loadConfig } from './config.js'
import { rejectCrossSite } from './cross-site.js'
import type { Database } from './db/database.js'
import { liveHub, mountLive, publishProduct } from './live.js'
import { loginLimits } from './login-limits.js'
import { type AppMetrics, createMetrics } from './metrics.js'
import { mountMetrics } from './metrics-routes.js'
import { mountOrders, type OrdersQueue, ordersQueue } from './orders.js'
import { verifyPassword } from './passwords.js'
import { loginBody, logoutAllBody, productParams, productPatch } from './schemas.js'
import { inputOf, paramOf, validate } from './validation.js'

declare module 'express-session' {
  interface SessionData {
    userId?: string
    loggedInAt?: number
  }
}

export interface AppDependencies {
  redis: RedisClient
  db: Database
  /** Default: `loadConfig(process.env)`. */
  config?: AppConfig
  /** Directory of the page (index.html, app.css, app.js). Without it, GET / is not served. */
  publicDir?: string
  /** Where the app's one-time notices go. Default `console.warn`. */
  warn?: (message: string) => void
  /** The order-confirmation queue (server.ts shares it with its worker). Default: a new one on `redis`. */
  orders?: OrdersQueue
  /** Metrics shared with `orders` and `realtime` (server.ts). Default: new ones for this app. */
  metrics?: AppMetrics
  /** Live events to pages (server.ts shares it with the orders queue and closes it). Default: a new one on `redis`. */
  realtime?: Realtime
}

/** Builds the example app. Kept apart from `server.ts` so tests run it without listening. */
export function createApp(dependencies: AppDependencies): Express {
  const {
    redis,
    db,
    config = loadConfig(process.env),
    publicDir,
    warn = console.warn,
    metrics = createMetrics(),
  } = dependencies
  const live = dependencies.realtime ?? liveHub(redis, config.keyPrefix, warn, metrics.realtime)
  const orders = dependencies.orders ?? ordersQueue(redis, config.keyPrefix, warn, live, metrics.queue)
  metrics.watchQueue(orders.name, () => orders.counts())
  metrics.watchRealtime(() => live.stats())
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', config.trustProxy)
  const prefix = config.keyPrefix

  // ---- middleware instances ------------------------------------------------------------------
  const apiLimiter = rateLimit({
    redis,
    prefix: `${prefix}rl:api:`,
    limit: config.api.limit,
    window: config.api.windowMs,
    warn,
    onEvent: metrics.rateLimit('api'),
  })
  const burstLimiter = rateLimit({
    redis,
    prefix: `${prefix}rl:burst:`,
    limit: config.burst.limit,
    window: config.burst.windowMs,
    warn,
    onEvent: metrics.rateLimit('burst'),
  })
  const login = loginLimits(redis, config, warn, metrics.rateLimit)
  const productCache = createCache({
    redis,
    prefix: `${prefix}cache:`,
    onError: (error) => warn(`[example] cache: ${String(error)}`),
    onEvent: metrics.cache,
  })
  const cacheTimes = {
    ttl: config.productCache.ttlMs,
    staleWhileRevalidate: config.productCache.staleWhileRevalidateMs,
    staleIfError: config.productCache.staleIfErrorMs,
  }
  const sessions = session({
    redis,
    secret: config.session.secrets,
    name: config.session.cookieName,
    prefix: `${prefix}sess:`,
    ttl: Math.ceil(config.session.idleMs / 1000),
    absoluteTimeout: config.session.absoluteMs,
    userId: (s) => s.userId,
    maxSessionsPerUser: config.session.maxPerUser,
    warn,
    onEvent: metrics.session,
  })
  const store = sessions.store
  const json = express.json({ limit: '10kb' })

  const requireUser: RequestHandler = (req, res, next) => {
    if (req.session.userId === undefined) {
      res.status(401).json({ error: 'not logged in', hint: 'POST /api/login with {"email","password"}' })
      return
    }
    next()
  }

  // ---- routes --------------------------------------------------------------------------------
  app.get('/health', async (_req, res) => {
    const reachable = await redis.ping().then(
      () => true,
      () => false,
    )
    res.status(reachable ? 200 : 503).json({ backend: redis.kind, state: redis.state, reachable })
  })

  mountMetrics(app, metrics, config.metricsToken)

  if (publicDir !== undefined) app.use(express.static(publicDir, { index: 'index.html', maxAge: 0 }))

  // CSRF: every state-changing route, whatever its path (see cross-site.ts for the rule).
  app.use(rejectCrossSite({ trustedOrigins: config.trustedOrigins }))

  app.use('/api', apiLimiter)

  app.get('/api/info', (_req, res) => {
    res.json({
      backend: redis.kind,
      backendState: redis.state,
      database: db.kind,
      limits: {
        api: config.api,
        burst: config.burst,
        loginIp: config.loginIp,
        loginIpAccount: config.loginIpAccount,
        loginAccount: config.loginAccount,
        loginDevice: config.loginDevice,
      },
      productCache: config.productCache,
    })
  })

  /** A cheap endpoint with a tight limit: the page's burst button fires at it. */
  app.get('/api/ping', burstLimiter, (req, res) => {
    res.json({ pong: true, remaining: req.rateLimit?.remaining ?? null, at: new Date().toISOString() })
  })

  // `public: true`: the catalog is the same for signed-in and anonymous visitors, so requests that
  // carry the session cookie may share its entries (see the cache README's identity rule).
  app.get(
    '/api/products',
    productCache.route({ ...cacheTimes, public: true, tags: ['products'] }),
    async (_req, res) => {
      res.json({ products: await db.listProducts() })
    },
  )

  app.get(
    '/api/products/:id',
    validate({ params: productParams }),
    // The tag is built from the parsed id, as the PUT below invalidates it: `/api/products/04` and
    // `/api/products/4` are one product and share one tag.
    productCache.route({
      ...cacheTimes,
      public: true,
      tags: (req) => [`product:${req.res ? paramOf(req.res.locals, 'id') : 'invalid'}`],
    }),
    async (_req, res) => {
      const id = paramOf(res.locals, 'id')
      const product = await db.getProduct(id)
      if (product === undefined) {
        res.status(404).json({ error: `no product ${id}` })
        return
      }
      res.json({ product })
    },
  )

  app.put(
    '/api/products/:id',
    json,
    validate({ params: productParams, body: productPatch }),
    sessions,
    requireUser,
    async (_req, res) => {
      const id = paramOf(res.locals, 'id')
      const patch = inputOf(res.locals, productPatch)
      // The database first; the cache only after the write committed (a fill racing this write
      // stores its entry under the old tag versions, so it is never served as fresh).
      const product = await db.updateProduct(id, patch)
      if (product === undefined) {
        res.status(404).json({ error: `no product ${id}` })
        return
      }
      let invalidated = true
      try {
        await productCache.invalidate({ tags: [`product:${id}`, 'products'] })
      } catch (error) {
        invalidated = false
        warn(
          `[example] cache invalidation failed; readers may see the old product until its TTL ends: ${String(error)}`,
        )
      }
      res.json({ product, invalidated, published: await publishProduct(live, product, warn) })
    },
  )

  app.post('/api/login', json, validate({ body: loginBody }), ...login.guard, sessions, async (req, res) => {
    const { email, password } = inputOf(res.locals, loginBody)
    const user = await db.findUserByEmail(email)
    if (!(await verifyPassword(password, user?.passwordHash)) || user === undefined) {
      res.status(401).json({ error: 'wrong e-mail or password' })
      return
    }
    // A new session id on login (session fixation); the old id stops working now.
    await rotateSession(req)
    login.rememberDevice(req, res)
    req.session.userId = user.id
    req.session.loggedInAt = Date.now()
    res.json({ user: { id: user.id, email: user.email, name: user.name } })
  })

  app.get('/api/me', sessions, requireUser, async (req, res) => {
    const userId = req.session.userId ?? ''
    const user = await db.getUser(userId)
    if (user === undefined) {
      res.status(401).json({ error: 'this account no longer exists' })
      return
    }
    res.json({
      user,
      session: {
        loggedInAt: req.session.loggedInAt ?? null,
        expiresAt: req.session.cookie.expires?.toISOString() ?? null,
      },
    })
  })

  app.get('/api/sessions', sessions, requireUser, async (req, res) => {
    const list = await store.listUserSessions(req.session.userId ?? '', { current: req.sessionID })
    res.json({ sessions: list })
  })

  app.post('/api/logout', sessions, (req, res, next) => {
    req.session.destroy((error: unknown) => {
      if (error) {
        next(error)
        return
      }
      res.clearCookie(config.session.cookieName, { path: '/' }).json({ loggedOut: true })
    })
  })

  /** Every session of the user; `{"keepCurrent": true}` keeps the one making the request. */
  app.post(
    '/api/logout-all',
    json,
    validate({ body: logoutAllBody }),
    sessions,
    requireUser,
    async (req, res, next) => {
      const userId = req.session.userId ?? ''
      const keepCurrent = inputOf(res.locals, logoutAllBody)?.keepCurrent === true
      const revoked = await store.revokeUser(userId, { except: req.sessionID })
      if (keepCurrent) {
        res.json({ revoked, keptCurrent: true })
        return
      }
      req.session.destroy((error: unknown) => {
        if (error) {
          next(error)
          return
        }
        res.clearCookie(config.session.cookieName, { path: '/' }).json({ revoked: revoked + 1, keptCurrent: false })
      })
    },
  )

  mountLive(app, { realtime: live, sessions })
  mountOrders(app, { queue: orders, redis, db, keyPrefix: prefix, json, sessions, requireUser, warn })

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such endpoint' })
  })

  const errors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error)
      return
    }
    if (error instanceof SessionStoreUnavailableError) {
      res.status(503).set('Retry-After', '5').json({ error: 'the session store is unavailable; try again shortly' })
      return
    }
    const status =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500
    if (status >= 500) warn(`[example] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    const type = typeof error === 'object' && error !== null && 'type' in error ? String(error.type) : ''
    const message =
      type === 'entity.parse.failed'
        ? 'the request body is not valid JSON'
        : error instanceof Error
          ? error.message
          : String(error)
    res.status(status).json({ error: status >= 500 ? 'internal error' : message })
  }
  app.use(errors)

  return app
}
