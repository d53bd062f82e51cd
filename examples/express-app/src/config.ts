import { randomBytes } from 'node:crypto'
import { parseDuration } from '@rediware/redis'

/**
 * Everything the app can be tuned with. `loadConfig(process.env)` reads it from the environment
 * (names in README.md); tests build it with `loadConfig({ ...overrides })`.
 */
export interface AppConfig {
  /** Namespace of every Redis key the app writes (rate limits, cache, sessions). */
  keyPrefix: string
  /** `app.set('trust proxy', …)`: false, or the number of proxies in front of the app. */
  trustProxy: false | number
  /** All of /api, per IP. */
  api: Limit
  /** GET /api/ping, the endpoint the page's burst button hits: a tight limit so a burst shows 429s. */
  burst: Limit
  /** Failed logins per IP from clients that are not a known device of the account: a short window and a day. */
  loginIp: { short: Limit; daily: number }
  /** Failed logins per IP and account, from clients that are not a known device of the account. */
  loginIpAccount: Limit
  /**
   * Failed logins per account from every client that is not a known device: a token bucket of `burst`
   * attempts refilling one per `intervalMs` (at most a minute, the longest anyone can block the account).
   */
  loginAccount: { burst: number; intervalMs: number }
  /** Failed logins per known device (device cookie): only that device is ever blocked. */
  loginDevice: Limit
  /** Origins of other sites allowed to send state-changing requests (TRUSTED_ORIGINS). */
  trustedOrigins: string[]
  /** When set, GET /metrics wants `Authorization: Bearer <token>` (METRICS_TOKEN). */
  metricsToken: string | undefined
  /** Product reads: fresh for `ttl`, then served stale while one refresh runs, or on errors. */
  productCache: { ttlMs: number; staleWhileRevalidateMs: number; staleIfErrorMs: number }
  session: {
    /** Newest first. A random one (sessions end on restart) when SESSION_SECRET is unset. */
    secrets: string[]
    /** True when `secrets` was generated at start. */
    generatedSecret: boolean
    /** Idle lifetime. */
    idleMs: number
    /** Hard limit from login, however active the session is. */
    absoluteMs: number
    /** Oldest sessions of a user are revoked beyond this many. */
    maxPerUser: number
    cookieName: string
  }
}

export interface Limit {
  limit: number
  windowMs: number
}

export type Environment = Readonly<Record<string, string | undefined>>

function positiveInteger(env: Environment, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number ≥ 1 (for example ${fallback}); got "${raw}".`)
  }
  return value
}

function duration(env: Environment, name: string, fallback: string): number {
  const raw = env[name]
  const value =
    raw === undefined || raw.trim() === '' ? fallback : /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw.trim()
  return parseDuration(value, name)
}

function metricsToken(env: Environment): string | undefined {
  const raw = env.METRICS_TOKEN?.trim()
  if (raw === undefined || raw === '') return undefined
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new RangeError(
      'METRICS_TOKEN must be at least 16 printable characters without spaces (for example `openssl rand -hex 16`).',
    )
  }
  return raw
}

const REMOVED: Readonly<Record<string, string>> = {
  LOGIN_ACCOUNT_LIMIT: 'LOGIN_ACCOUNT_BURST',
  LOGIN_ACCOUNT_WINDOW: 'LOGIN_ACCOUNT_INTERVAL',
  LOGIN_ACCOUNT_DAILY_LIMIT: 'LOGIN_ACCOUNT_BURST and LOGIN_ACCOUNT_INTERVAL',
}

function refuseRemoved(env: Environment): void {
  for (const [name, instead] of Object.entries(REMOVED)) {
    if (env[name] !== undefined && env[name] !== '') {
      throw new RangeError(
        `${name} is no longer read: a per-account limit counting every client let anyone lock an account out (README "Login limits"). Use ${instead}.`,
      )
    }
  }
}

function trustedOrigins(env: Environment): string[] {
  const raw = env.TRUSTED_ORIGINS ?? ''
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      let origin: string
      try {
        origin = new URL(item).origin
      } catch {
        origin = 'null'
      }
      if (origin === 'null' || origin !== item) {
        throw new TypeError(
          `TRUSTED_ORIGINS must be comma-separated origins such as https://app.example.com (scheme, host, optional port; no path); got "${item}".`,
        )
      }
      return origin
    })
}

function trustProxy(env: Environment): false | number {
  const raw = env.TRUST_PROXY
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false
  const hops = Number(raw)
  if (!Number.isInteger(hops) || hops < 1) {
    throw new RangeError(
      `TRUST_PROXY must be the number of proxies in front of the app (for example 1), or unset; got "${raw}".`,
    )
  }
  return hops
}

function accountInterval(env: Environment): number {
  const interval = duration(env, 'LOGIN_ACCOUNT_INTERVAL', '1 m')
  if (interval > 60_000) {
    throw new RangeError(
      `LOGIN_ACCOUNT_INTERVAL must be at most 1 m: it is how long a stranger can keep an account's login blocked; got "${env.LOGIN_ACCOUNT_INTERVAL}".`,
    )
  }
  return interval
}

function secrets(env: Environment): { secrets: string[]; generated: boolean } {
  const raw = env.SESSION_SECRET
  if (raw === undefined || raw.trim() === '') return { secrets: [randomBytes(32).toString('hex')], generated: true }
  const list = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
  return { secrets: list, generated: false }
}

/** Reads the configuration; bad values throw, naming the variable and what it should look like. */
export function loadConfig(env: Environment = process.env): AppConfig {
  refuseRemoved(env)
  const secret = secrets(env)
  const prefix = env.KEY_PREFIX ?? 'rw-example:'
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) {
    throw new TypeError(
      `KEY_PREFIX must be 1-64 characters of A-Z a-z 0-9 : _ . - (for example "rw-example:"); got "${prefix}".`,
    )
  }
  return {
    keyPrefix: prefix,
    trustProxy: trustProxy(env),
    api: { limit: positiveInteger(env, 'API_RATE_LIMIT', 300), windowMs: duration(env, 'API_RATE_WINDOW', '1 m') },
    burst: {
      limit: positiveInteger(env, 'BURST_RATE_LIMIT', 10),
      windowMs: duration(env, 'BURST_RATE_WINDOW', '10 s'),
    },
    loginIp: {
      short: { limit: positiveInteger(env, 'LOGIN_IP_LIMIT', 20), windowMs: duration(env, 'LOGIN_IP_WINDOW', '5 m') },
      daily: positiveInteger(env, 'LOGIN_IP_DAILY_LIMIT', 200),
    },
    loginIpAccount: {
      limit: positiveInteger(env, 'LOGIN_IP_ACCOUNT_LIMIT', 5),
      windowMs: duration(env, 'LOGIN_IP_ACCOUNT_WINDOW', '1 m'),
    },
    loginAccount: { burst: positiveInteger(env, 'LOGIN_ACCOUNT_BURST', 10), intervalMs: accountInterval(env) },
    loginDevice: {
      limit: positiveInteger(env, 'LOGIN_DEVICE_LIMIT', 10),
      windowMs: duration(env, 'LOGIN_DEVICE_WINDOW', '1 m'),
    },
    trustedOrigins: trustedOrigins(env),
    metricsToken: metricsToken(env),
    productCache: {
      ttlMs: duration(env, 'PRODUCT_CACHE_TTL', '10 s'),
      staleWhileRevalidateMs: duration(env, 'PRODUCT_CACHE_SWR', '1 m'),
      staleIfErrorMs: duration(env, 'PRODUCT_CACHE_STALE_IF_ERROR', '10 m'),
    },
    session: {
      secrets: secret.secrets,
      generatedSecret: secret.generated,
      idleMs: duration(env, 'SESSION_IDLE_TTL', '1 d'),
      absoluteMs: duration(env, 'SESSION_ABSOLUTE_TTL', '7 d'),
      maxPerUser: positiveInteger(env, 'SESSION_MAX_PER_USER', 10),
      cookieName: 'rw.sid',
    },
  }
}
