import { createCache } from '@rediware/cache'
import { ipKey, rateLimit } from '@rediware/rate-limit'
import type { RedisClient } from '@rediware/redis'
import { rotateSession, SessionStoreUnavailableError, session } from '@rediware/session'
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express'
import { type AppConfig, loadConfig } from './config.js'
import type { Database, ProductPatch } from './db/database.js'
import { mountOrders, type OrdersQueue, ordersQueue } from './orders.js'
import { verifyPassword } from './passwords.js'

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
}

function productId(req: Request): number | undefined {
  const raw = req.params.id
  const id = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN
  return Number.isSafeInteger(id) && id > 0 ? id : undefined
}

function parsePatch(body: unknown): ProductPatch | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'send a JSON object such as {"priceCents": 1500}'
  const input = body as Record<string, unknown>
  const patch: ProductPatch = {}
  for (const name of Object.keys(input)) {
    if (!['name', 'priceCents', 'stock'].includes(name)) return `unknown field "${name}"; allowed: name, priceCents, stock`
  }
  if (input.name !== undefined) {
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 100) return 'name must be a non-empty string of at most 100 characters'
    patch.name = input.name.trim()
  }
  for (const field of ['priceCents', 'stock'] as const) {
    const value = input[field]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000_000) return `${field} must be a whole number between 0 and 100000000`
    patch[field] = value
  }
  if (Object.keys(patch).length === 0) return 'nothing to change: send name, priceCents and/or stock'
  return patch
}

/** Builds the example app. Kept apart from `server.ts` so tests run it without listening. */
export function createApp({ redis, db, config = loadConfig(process.env), publicDir, warn = console.warn, orders }: AppDependencies): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', config.trustProxy)
  const prefix = config.keyPrefix

  // ---- middleware instances ------------------------------------------------------------------
  const apiLimiter = rateLimit({ redis, prefix: `${prefix}rl:api:`, limit: config.api.limit, window: config.api.windowMs, warn })
  const burstLimiter = rateLimit({ redis, prefix: `${prefix}rl:burst:`, limit: config.burst.limit, window: config.burst.windowMs, warn })
  const loginPerIp = rateLimit({
    redis,
    prefix: `${prefix}rl:login-ip:`,
    algorithm: 'sliding-log',
    policies: [
      { name: 'ip', limit: config.loginIp.short.limit, window: config.loginIp.short.windowMs },
      { name: 'ip-daily', limit: config.loginIp.daily, window: '1 d' },
    ],
    skipSuccessfulRequests: true,
    warn,
  })
  const loginPerAccount = rateLimit({
    redis,
    prefix: `${prefix}rl:login-account:`,
    algorithm: 'sliding-log',
    key: (req) => {
      const email: unknown = req.body?.email
      return typeof email === 'string' && email.trim() !== '' ? `account:${email.trim().toLowerCase()}` : `ip:${ipKey(req)}`
    },
    policies: [
      { name: 'account', limit: config.loginAccount.short.limit, window: config.loginAccount.short.windowMs },
      { name: 'account-daily', limit: config.loginAccount.daily, window: '1 d' },
    ],
    skipSuccessfulRequests: true,
    warn,
  })
  const productCache = createCache({ redis, prefix: `${prefix}cache:`, onError: (error) => warn(`[example] cache: ${String(error)}`) })
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

  if (publicDir !== undefined) app.use(express.static(publicDir, { index: 'index.html', maxAge: 0 }))

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
        loginAccount: config.loginAccount,
      },
      productCache: config.productCache,
    })
  })

  /** A cheap endpoint with a tight limit: the page's burst button fires at it. */
  app.get('/api/ping', burstLimiter, (req, res) => {
    res.json({ pong: true, remaining: req.rateLimit?.remaining ?? null, at: new Date().toISOString() })
  })

  app.get('/api/products', productCache.route({ ...cacheTimes, tags: ['products'] }), async (_req, res) => {
    res.json({ products: await db.listProducts() })
  })

  app.get(
    '/api/products/:id',
    productCache.route({ ...cacheTimes, tags: (req) => [`product:${String(req.params.id)}`] }),
    async (req, res) => {
      const id = productId(req)
      if (id === undefined) {
        res.status(400).json({ error: 'product id must be a positive integer' })
        return
      }
      const product = await db.getProduct(id)
      if (product === undefined) {
        res.status(404).json({ error: `no product ${id}` })
        return
      }
      res.json({ product })
    },
  )

  app.put('/api/products/:id', json, sessions, requireUser, async (req, res) => {
    const id = productId(req)
    if (id === undefined) {
      res.status(400).json({ error: 'product id must be a positive integer' })
      return
    }
    const patch = parsePatch(req.body)
    if (typeof patch === 'string') {
      res.status(400).json({ error: patch })
      return
    }
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
      warn(`[example] cache invalidation failed; readers may see the old product until its TTL ends: ${String(error)}`)
    }
    res.json({ product, invalidated })
  })

  app.post('/api/login', json, loginPerIp, loginPerAccount, sessions, async (req, res) => {
    const body: unknown = req.body
    const email = typeof body === 'object' && body !== null && 'email' in body ? body.email : undefined
    const password = typeof body === 'object' && body !== null && 'password' in body ? body.password : undefined
    if (typeof email !== 'string' || typeof password !== 'string' || password.length > 1024) {
      res.status(400).json({ error: 'send {"email": "...", "password": "..."}' })
      return
    }
    const user = await db.findUserByEmail(email)
    if (!(await verifyPassword(password, user?.passwordHash)) || user === undefined) {
      res.status(401).json({ error: 'wrong e-mail or password' })
      return
    }
    // A new session id on login (session fixation); the old id stops working now.
    await rotateSession(req)
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
  app.post('/api/logout-all', json, sessions, requireUser, async (req, res, next) => {
    const userId = req.session.userId ?? ''
    const keepCurrent = typeof req.body === 'object' && req.body !== null && req.body.keepCurrent === true
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
  })

  mountOrders(app, { queue: orders ?? ordersQueue(redis, prefix, warn), redis, db, keyPrefix: prefix, json, sessions, requireUser, warn })

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
    const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500
    if (status >= 500) warn(`[example] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    res.status(status).json({ error: status >= 500 ? 'internal error' : error instanceof Error ? error.message : String(error) })
  }
  app.use(errors)

  return app
}
