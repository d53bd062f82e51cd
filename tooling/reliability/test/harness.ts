import { createHmac } from 'node:crypto'
import { type IncomingHttpHeaders, request as httpRequest, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCache } from '@rediware/cache'
import { rateLimit, type RateLimitMiddleware } from '@rediware/rate-limit'
import type { RedisClient } from '@rediware/redis'
import { type RedisStore, rotateSession, session } from '@rediware/session'
import type { Application, NextFunction, Request, Response } from 'express'

declare module 'express-session' {
  interface SessionData {
    userId?: string
    views?: number
  }
}

export const SECRET = 'reliability-suite-secret-that-is-long-enough-0123456789'

/** An error that reached the app's error handler, with what the app answered. */
export interface RecordedError {
  status: number
  message: string
  stack: string | undefined
  url: string
}

export interface SuiteApp {
  app: Application
  store: RedisStore
  limiter: RateLimitMiddleware
  /** Errors that reached the final error handler (5xx ones are failures of the suite). */
  errors: RecordedError[]
  prefixes: { rl: string; cache: string; sess: string; user: string }
}

export interface SuiteAppOptions {
  /** Requests per minute per client on every route (default: high enough never to bind while fuzzing). */
  limit?: number
  /** Express `trust proxy` setting (default: off). */
  trustProxy?: string | number | boolean
}

const wrap =
  (handler: (req: Request, res: Response) => Promise<void> | void) =>
  (req: Request, res: Response, next: NextFunction): void => {
    Promise.resolve(handler(req, res)).catch(next)
  }

/**
 * The purpose-built app: one rate limiter in front of everything, the session store, and cached routes
 * (shared, per-user scoped, vary on Authorization, and unsafe handlers that read personal data without
 * saying so, which the personalisation guard must catch).
 */
export function buildSuiteApp(
  createApp: () => Application,
  client: RedisClient,
  prefix: string,
  options: SuiteAppOptions = {},
): SuiteApp {
  const prefixes = { rl: `${prefix}rl:`, cache: `${prefix}c:`, sess: `${prefix}s:`, user: `${prefix}u:` }
  const app = createApp()
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy)
  const errors: RecordedError[] = []
  const limiter = rateLimit({
    redis: client,
    limit: options.limit ?? 1_000_000,
    window: '1 m',
    prefix: prefixes.rl,
    warn: () => undefined,
  })
  const sessions = session({
    redis: client,
    secret: SECRET,
    prefix: prefixes.sess,
    userIndexPrefix: prefixes.user,
    userId: (data) => data.userId,
    absoluteTimeout: '1 d',
    cookie: { maxAge: 3_600_000, secure: false },
    warn: () => undefined,
    onEvent: () => undefined,
  })
  const cache = createCache({ redis: client, prefix: prefixes.cache, onError: () => undefined })

  app.use(limiter)
  app.use(sessions)

  // Shared content: may be cached for everyone.
  app.all('/public', cache.route({ ttl: '1 m' }), (req, res) => {
    res.json({ path: req.path, query: req.query, method: req.method })
  })
  app.all('/item/:id', cache.route({ ttl: '1 m', query: { ignore: ['utm_*'] } }), (req, res) => {
    res.json({ id: req.params.id, q: req.query })
  })
  // Per-user entries via scope.
  app.get('/scoped', cache.route({ ttl: '1 m', scope: (req) => req.session?.userId ?? null }), (req, res) => {
    res.json({ user: req.session.userId ?? null })
  })
  // Varies on Authorization, declared.
  app.get('/auth', cache.route({ ttl: '1 m', vary: ['authorization'] }), (req, res) => {
    res.json({ user: req.get('authorization') ?? null })
  })
  // Personal handlers without scope or vary: the guard must refuse to share them.
  app.get('/unsafe/session', cache.route({ ttl: '1 m' }), (req, res) => {
    res.json({ user: req.session.userId ?? null })
  })
  app.get('/unsafe/cookie', cache.route({ ttl: '1 m' }), (req, res) => {
    res.json({ user: req.headers.cookie ?? null })
  })
  app.get('/unsafe/authorization', cache.route({ ttl: '1 m' }), (req, res) => {
    res.json({ user: req.headers.authorization ?? null })
  })

  app.post(
    '/login/:user',
    wrap(async (req, res) => {
      await rotateSession(req)
      req.session.userId = String(req.params.user)
      res.json({ ok: true })
    }),
  )
  app.get('/me', (req, res) => {
    res.json({ userId: req.session.userId ?? null, sid: req.sessionID })
  })
  app.post('/views', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1
    res.json({ views: req.session.views, userId: req.session.userId ?? null })
  })
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error: unknown) => (error ? next(error) : res.json({ ok: true })))
  })
  app.post(
    '/logout-everywhere',
    wrap(async (req, res) => {
      const userId = req.session.userId
      if (userId === undefined) {
        res.status(401).json({ error: 'not logged in' })
        return
      }
      const revoked = await sessions.store.revokeUser(userId)
      res.json({ revoked })
    }),
  )
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const candidate = error as { status?: unknown; statusCode?: unknown } | null
    const raw = candidate?.status ?? candidate?.statusCode
    const status = typeof raw === 'number' && raw >= 400 && raw <= 599 ? raw : 500
    errors.push({
      status,
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
      url: req.originalUrl,
    })
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.status(status).json({ error: status })
  })
  return { app, store: sessions.store, limiter, errors, prefixes }
}

export interface Listening {
  port: number
  server: Server
  close(): Promise<void>
}

/** Listens on 127.0.0.1 with a 64 KiB header limit, so oversized header values reach the middleware. */
export function listen(app: Application, host = '127.0.0.1'): Promise<Listening> {
  const server = createServer({ maxHeaderSize: 65_536 }, app)
  server.keepAliveTimeout = 1000
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo
      resolve({
        port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * A raw HTTP request. Header values are sent as given (latin1 on the wire: pass UTF-8 bytes as a
 * latin1 string to send non-ASCII). Never rejects for an HTTP-level answer; rejects on socket errors.
 */
export function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string | Buffer,
  host = '127.0.0.1',
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, method, path, headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`request ${method} ${path} hung past 10 s`)))
    req.on('error', reject)
    if (body !== undefined) req.end(body)
    else req.end()
  })
}

/** The `name=value` pair from a Set-Cookie header for the session cookie, or undefined. */
export function sessionCookie(answer: Answer): string | undefined {
  const set = answer.headers['set-cookie'] ?? []
  for (const line of set) {
    const pair = line.split(';')[0] ?? ''
    if (pair.startsWith('connect.sid=')) return pair
  }
  return undefined
}

/** The session id inside a `connect.sid=s%3A<id>.<sig>` cookie pair. */
export function sidOf(cookie: string): string {
  const value = decodeURIComponent(cookie.slice('connect.sid='.length))
  return value.slice(2, value.lastIndexOf('.'))
}

/** A cookie value signed the way express-session (cookie-signature) signs it. */
export function signedCookie(sid: string, secret = SECRET): string {
  const signature = createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')
  return `connect.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`
}

/** Every key under `prefix` on the backend (all masters on Cluster). */
export async function scanKeys(client: RedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = []
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}*`
  for await (const page of client.scan({ match: pattern, count: 500 })) keys.push(...page)
  return keys
}

export const KEY_BOUND = 200

/**
 * Keys under `prefix` must be short and must not contain any of `inputs` (fuzzed values at least
 * `minLength` long, checked after the test prefix). Returns the offending keys with the reason.
 */
export function badKeys(keys: readonly string[], prefix: string, inputs: Iterable<string>, minLength = 12): string[] {
  const needles = [...new Set(inputs)].filter((value) => value.length >= minLength)
  const bad: string[] = []
  for (const key of keys) {
    if (Buffer.byteLength(key) > KEY_BOUND) bad.push(`${key.slice(0, 80)}… is ${Buffer.byteLength(key)} bytes`)
    const rest = key.slice(prefix.length)
    for (const needle of needles)
      if (rest.includes(needle)) bad.push(`${key} contains the raw input ${JSON.stringify(needle)}`)
  }
  return bad
}

/** Records unhandled rejections and uncaught exceptions while installed. */
export function processWatch(): { events: string[]; install(): void; uninstall(): void } {
  const events: string[] = []
  const onRejection = (reason: unknown) => {
    events.push(`unhandledRejection: ${reason instanceof Error ? reason.stack : String(reason)}`)
  }
  const onException = (error: Error) => {
    events.push(`uncaughtException: ${error.stack ?? error.message}`)
  }
  return {
    events,
    install() {
      process.on('unhandledRejection', onRejection)
      process.on('uncaughtException', onException)
    },
    uninstall() {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
    },
  }
}

/** UTF-8 bytes of `text` as a latin1 string: what a client puts on the wire for a non-ASCII header. */
export const wire = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')

/** Closes the backend connections a test opened for extra app instances. */
export async function closeAll(closers: readonly (() => Promise<void> | void)[]): Promise<void> {
  await Promise.all(closers.map(async (close) => close()))
}
