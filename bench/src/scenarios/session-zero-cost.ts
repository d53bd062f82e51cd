import expressSession, { type SessionData } from 'express-session'
import type { Scenario } from '../scenario.js'
import { sessionRoutes, sessionScenario } from './session-common.js'

type Callback = (error?: unknown, session?: SessionData | null) => void

/**
 * A store that costs nothing: `get` answers at once, in the same tick, with a copy of the session
 * `build()` saved (express-session replaces `cookie` on what it is given, so each request gets its
 * own top-level object and cookie); `set` and `touch` only call back. No I/O, no serialization, no
 * timers. What express-session costs per request over a store that answers synchronously; not a
 * ceiling: a networked store lets the server batch many requests' I/O and has measured less app CPU.
 */
class ZeroCostStore extends expressSession.Store {
  #saved: SessionData | undefined

  override get(_sid: string, callback: Callback): void {
    const saved = this.#saved
    callback(null, saved === undefined ? null : { ...saved, cookie: { ...saved.cookie } })
  }

  override set(_sid: string, session: SessionData, callback?: (error?: unknown) => void): void {
    // Only the first save (before listening) is kept: the reference answers from a prebuilt value.
    if (this.#saved === undefined) this.#saved = { ...session, cookie: { ...session.cookie } }
    callback?.()
  }

  override touch(_sid: string, _session: SessionData, callback?: () => void): void {
    callback?.()
  }

  override destroy(_sid: string, callback?: (error?: unknown) => void): void {
    callback?.()
  }
}

/** express-session over a store that costs nothing: shown for reference, not a peer to beat. */
export function sessionZeroCostScenarios(): Scenario[] {
  return sessionRoutes.map((route) =>
    sessionScenario(
      route,
      'zero-cost-store',
      'in-process peer',
      'reference: express-session 1.19 over a zero-cost store (answers synchronously in process; no I/O, no serialization)',
      async () => new ZeroCostStore(),
    ),
  )
}
