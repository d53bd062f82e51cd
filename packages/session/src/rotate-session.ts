import type { Request } from 'express'
import { RedisStore } from './redis-store.js'

/**
 * Gives the session a new id and keeps its data (OWASP: renew the id on login and privilege
 * changes). The old id is destroyed at once, so a stolen or fixated id stops working; the new
 * session is written when the response ends (or on `req.session.save()`), keeping its creation
 * time so `absoluteTimeout` still counts from the original login.
 */
export async function rotateSession(req: Request): Promise<void> {
  const session = req.session as (Request['session'] & Record<string, unknown>) | undefined
  if (session === undefined || session === null || typeof session.regenerate !== 'function') {
    throw new TypeError('rotateSession(req): req.session is missing; mount session() or express-session before this route.')
  }
  const data: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(session)) if (name !== 'cookie') data[name] = value
  const originalMaxAge = session.cookie.originalMaxAge
  const store: unknown = req.sessionStore
  if (store instanceof RedisStore) store.prepareRotation(req)
  await new Promise<void>((resolve, reject) => {
    session.regenerate((error: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()))
  })
  const fresh = req.session as Request['session'] & Record<string, unknown>
  Object.assign(fresh, data)
  if (originalMaxAge !== fresh.cookie.originalMaxAge) {
    if (typeof originalMaxAge === 'number') fresh.cookie.maxAge = originalMaxAge
    fresh.cookie.originalMaxAge = originalMaxAge
  }
}
