import type { RedisInput } from '@rediware/redis'
import { describeValue, warnOnce } from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import expressSession from 'express-session'
import { SessionTrustProxyError } from './errors.js'
import { type RedisStoreOptions, storeOptionNames } from './options.js'
import { RedisStore } from './redis-store.js'
import type { RouteHandler } from './route-handler.js'
import { saveBeforeResponse } from './save-before-response.js'

type ExpressSessionOptions = expressSession.SessionOptions

/** `session()` options: express-session's (minus `store`) plus the store's, and `redis`. */
export interface SessionOptions
  extends Omit<ExpressSessionOptions, 'store' | 'secret' | 'cookie'>,
    Omit<RedisStoreOptions, 'redis'> {
  redis: RedisInput
  /** Cookie options, merged over the safe defaults. */
  cookie?: expressSession.CookieOptions
  /** Signing secret(s). Put the newest first; keep old ones until their cookies have expired. */
  secret: string | string[]
  /** Where one-time configuration warnings go. Default `console.warn`. */
  warn?: (message: string) => void
}

/** The middleware, with the store it created (for `revokeUser`, `listUserSessions`, …). */
export interface SessionMiddleware extends RouteHandler {
  store: RedisStore
}

function checkSecret(secret: unknown): string[] {
  const list = Array.isArray(secret) ? secret : [secret]
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new TypeError(
      `session(): secret must be a non-empty string or an array of them (newest first); got ${describeValue(secret)}. Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('hex'))"`,
    )
  }
  return list as string[]
}

/** Settings that are legal but risky, each with the fix. */
function riskyWarnings(options: SessionOptions, secrets: readonly string[], production: boolean): string[] {
  const warnings: string[] = []
  const cookie = options.cookie ?? {}
  if (production && cookie.secure === false)
    warnings.push(
      'cookie.secure is false in production: the session cookie is sent over plain HTTP. Remove it (the default is secure in production).',
    )
  if (cookie.sameSite === 'none' && cookie.secure !== true)
    warnings.push("cookie.sameSite 'none' needs cookie.secure: true, and weakens CSRF protection; prefer 'lax'.")
  if (cookie.sameSite === 'none')
    warnings.push(
      "cookie.sameSite 'none' sends the cookie on cross-site requests (CSRF); use it only with CSRF tokens.",
    )
  if (cookie.httpOnly === false)
    warnings.push('cookie.httpOnly is false: scripts (and XSS) can read the session cookie.')
  if (options.resave === true)
    warnings.push(
      'resave: true writes every session on every request and lets slow requests overwrite newer changes; use resave: false.',
    )
  if (options.saveUninitialized === true)
    warnings.push(
      'saveUninitialized: true stores a session for every visitor and bot; use false (sessions are created when something is stored).',
    )
  if (secrets[0] !== undefined && secrets[0].length < 32)
    warnings.push('secret is shorter than 32 characters; use 32+ random bytes.')
  const name = options.name ?? 'connect.sid'
  if (
    name.startsWith('__Host-') &&
    (cookie.secure === false || cookie.domain !== undefined || (cookie.path ?? '/') !== '/')
  ) {
    warnings.push("a '__Host-' cookie name requires secure: true, path '/' and no domain; browsers drop it otherwise.")
  }
  return warnings
}

/**
 * express-session with a RedisStore and safe defaults: `httpOnly`, `sameSite: 'lax'`, `secure` in
 * production, `resave: false`, `saveUninitialized: false`. Risky settings are reported once; a secure
 * cookie behind an HTTPS proxy that Express does not trust fails the request (`SessionTrustProxyError`). A
 * changed session is saved before the response goes out (see `saveBeforeResponse`).
 */
export function session(options: SessionOptions): SessionMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      `session(): options must be an object such as { redis, secret }; got ${describeValue(options)}.`,
    )
  }
  if ('store' in options && options.store !== undefined) {
    throw new TypeError(
      'session(): do not pass store; pass redis (and store options) and session() builds the RedisStore. Use express-session directly to bring your own store.',
    )
  }
  const secrets = checkSecret(options.secret)
  const production = process.env.NODE_ENV === 'production'
  const warn = options.warn ?? console.warn
  const storeOptions: Record<string, unknown> = { redis: options.redis }
  const rest: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(options)) {
    if (name === 'redis' || name === 'warn') continue
    if (storeOptionNames.includes(name)) storeOptions[name] = value
    else rest[name] = value
  }
  const store = new RedisStore(storeOptions as unknown as RedisStoreOptions)
  if (options.cookie !== undefined && (typeof options.cookie !== 'object' || options.cookie === null)) {
    throw new TypeError(
      `session(): cookie must be an object of cookie options such as { maxAge: 86400000 }; got ${describeValue(options.cookie)}.`,
    )
  }
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: production, ...(options.cookie ?? {}) }
  const warnings = riskyWarnings(options, secrets, production)
  if (warnings.length > 0) {
    warnOnce(
      `rediware-session-risky:${warnings.join('|')}`,
      `@rediware/session: risky settings:\n- ${warnings.join('\n- ')}`,
      warn,
    )
  }
  const inner = expressSession({
    ...(rest as unknown as ExpressSessionOptions),
    secret: secrets,
    store,
    resave: options.resave ?? false,
    saveUninitialized: options.saveUninitialized ?? false,
    cookie,
  })
  const saveFirst = saveBeforeResponse()
  let proxyReported = false
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (
      cookie.secure === true &&
      !req.secure &&
      !req.app.get('trust proxy') &&
      /https/i.test(String(req.get('x-forwarded-proto') ?? ''))
    ) {
      const error = new SessionTrustProxyError()
      if (!proxyReported) {
        proxyReported = true
        warn(`@rediware/session: ${error.message}`)
      }
      next(error)
      return
    }
    inner(req, res, (error?: unknown) => (error === undefined ? saveFirst(req, res, next) : next(error)))
  }
  return Object.assign(middleware as RouteHandler, { store })
}
