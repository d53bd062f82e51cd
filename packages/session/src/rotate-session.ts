import type { Request } from 'express'
import { RedisStore } from './redis-store.js'

type LiveSession = Request['session'] & Record<string, unknown>

/** Copies the data and lifetime of a session onto the fresh one `generate` put on the request. */
function carryOver(req: Request, data: Record<string, unknown>, originalMaxAge: number | null): LiveSession {
  const fresh = req.session as LiveSession
  Object.assign(fresh, data)
  if (originalMaxAge !== fresh.cookie.originalMaxAge) {
    if (typeof originalMaxAge === 'number') fresh.cookie.maxAge = originalMaxAge
    fresh.cookie.originalMaxAge = originalMaxAge
  }
  return fresh
}

/**
 * Gives the session a new id and keeps its data (OWASP: renew the id on login and privilege
 * changes). The old id stops working at once, so a stolen or fixated id is useless; the new session
 * keeps its creation time so `absoluteTimeout` still counts from the original login.
 *
 * With a RedisStore, a session that ended while the request ran (logout, `revokeUser`, absolute
 * timeout) is not carried over: the request goes on with a new, empty session, as a request whose
 * cookie named an ended session would.
 */
export async function rotateSession(req: Request): Promise<void> {
  const session = req.session as LiveSession | undefined
  if (session === undefined || session === null || typeof session.regenerate !== 'function') {
    throw new TypeError(
      'rotateSession(req): req.session is missing; mount session() or express-session before this route.',
    )
  }
  const data: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(session)) if (name !== 'cookie') data[name] = value
  const originalMaxAge = session.cookie.originalMaxAge
  const store = req.sessionStore
  if (store instanceof RedisStore) {
    const oldSid = req.sessionID
    const loaded = store.prepareRotation(req, oldSid)
    store.generate(req)
    const fresh = carryOver(req, data, originalMaxAge)
    if (!loaded) {
      // Nothing this request read from the store: drop the old id (if stored at all), write later.
      await store.destroy(oldSid)
      return
    }
    if (!(await store.commitRotation(req, oldSid, req.sessionID, fresh))) store.generate(req)
    return
  }
  await new Promise<void>((resolve, reject) => {
    session.regenerate((error: unknown) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    )
  })
  carryOver(req, data, originalMaxAge)
}
