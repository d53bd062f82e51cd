import type { SessionData } from 'express-session'
import type { ResolvedStoreOptions } from './options.js'

type Lifetime = Pick<ResolvedStoreOptions, 'ttlFunction' | 'ttlSeconds'>

/** Milliseconds until this session expires: `ttl` function, else cookie expiry, else `ttl`. */
export function ttlMs(options: Lifetime, session: SessionData): number {
  const { ttlFunction, ttlSeconds } = options
  if (ttlFunction !== undefined) return Math.round(Number(ttlFunction(session)) * 1000)
  const expires = session.cookie?.expires
  if (expires !== undefined && expires !== null) return new Date(expires).getTime() - Date.now()
  return Math.round(ttlSeconds * 1000)
}

/** Idle time the session slides by on use (0: a fixed expiry that does not slide). */
export function idleMs(options: Lifetime, session: SessionData): number {
  const { ttlFunction, ttlSeconds } = options
  if (ttlFunction !== undefined) return Math.max(0, Math.round(Number(ttlFunction(session)) * 1000))
  const cookie = session.cookie
  if (cookie !== undefined && cookie !== null) {
    if (typeof cookie.originalMaxAge === 'number') return Math.max(0, cookie.originalMaxAge)
    if (cookie.expires !== undefined && cookie.expires !== null) return 0
  }
  return Math.round(ttlSeconds * 1000)
}
