import expressSession, { type SessionData } from 'express-session'
import type { Scenario } from '../scenario.js'
import { sessionRoutes, sessionScenario } from './session-common.js'

type Callback = (error?: unknown, session?: SessionData | null) => void

/** When a zero-cost store calls back: in the same tick, or on the next turn of the event loop. */
type Answer = (callback: () => void) => void
const atOnce: Answer = (callback) => callback()
const nextTurn: Answer = (callback) => {
  setImmediate(callback)
}

/**
 * A store that costs nothing: `get` answers with a copy of the session `build()` saved (express-session
 * replaces `cookie` on what it is given, so each request gets its own top-level object and cookie);
 * `set` and `touch` only call back. No I/O, no serialization. It answers either at once (in the same
 * tick) or on the next event-loop turn, as a networked store's reply would arrive, but without any of
 * its cost. Neither is a ceiling for a Redis store: both have measured more app CPU per request than
 * connect-redis 9 or our store, whose network waits let the server batch many requests' I/O per turn.
 */
class ZeroCostStore extends expressSession.Store {
  readonly #answer: Answer
  #saved: SessionData | undefined

  constructor(answer: Answer) {
    super()
    this.#answer = answer
  }

  override get(_sid: string, callback: Callback): void {
    const saved = this.#saved
    this.#answer(() => callback(null, saved === undefined ? null : { ...saved, cookie: { ...saved.cookie } }))
  }

  override set(_sid: string, session: SessionData, callback?: (error?: unknown) => void): void {
    // Only the first save (before listening) is kept: the reference answers from a prebuilt value.
    if (this.#saved === undefined) this.#saved = { ...session, cookie: { ...session.cookie } }
    this.#answer(() => callback?.())
  }

  override touch(_sid: string, _session: SessionData, callback?: () => void): void {
    this.#answer(() => callback?.())
  }

  override destroy(_sid: string, callback?: (error?: unknown) => void): void {
    this.#answer(() => callback?.())
  }
}

/** express-session over stores that cost nothing: shown for reference, not peers to beat. */
export function sessionZeroCostScenarios(): Scenario[] {
  return sessionRoutes.flatMap((route) => [
    sessionScenario(
      route,
      'zero-cost-store',
      'in-process peer',
      'reference: express-session 1.19 over a zero-cost store (answers synchronously in process; no I/O, no serialization)',
      async () => new ZeroCostStore(atOnce),
    ),
    sessionScenario(
      route,
      'zero-cost-store-next-turn',
      'in-process peer',
      'reference: express-session 1.19 over a zero-cost store answering on the next event-loop turn (as a reply from Redis would, at no cost)',
      async () => new ZeroCostStore(nextTurn),
    ),
  ])
}
