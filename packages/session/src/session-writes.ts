import type { SessionData } from 'express-session'
import { SessionIdConflictError } from './errors.js'
import { mergeSessions } from './merge.js'
import { type RequestStates, requestOf } from './request-states.js'
import { destroySession } from './scripts/destroy-session.js'
import { touchSession } from './scripts/touch-session.js'
import { sha1, type WriteMode, type WriteResult, writeArgs, writeSession } from './scripts/write-session.js'
import { cookieData, cookieProblem } from './session-cookie.js'
import { idleMs, ttlMs } from './session-lifetime.js'
import { wrongTypeSession } from './store-events.js'
import { encodeParts, encodeStored } from './stored-value.js'
import type { StoreParts } from './store-parts.js'
import type { UserIndex } from './user-index.js'

/** What a write did: stored it, refused it (destroyed, expired, TTL in the past) or skipped it in an outage (`'anonymous'`). */
export type WriteOutcome = 'written' | 'refused' | 'skipped'

/**
 * With `concurrency: 'merge'`, how many times a write that finds the session changed by another
 * request merges with the newer value and tries again; after that it writes without the check, so
 * a session rewritten without pause by others cannot keep a request waiting.
 */
const MERGE_ATTEMPTS = 3

/** Idle times this close are the same idle time (clock drift in express-session's cookie maths). */
const IDLE_TOLERANCE_MS = 1000

export interface WriteParts extends StoreParts {
  index: UserIndex
  /** What each request loaded or wrote (shared with the store's reads). */
  states: RequestStates
}

/**
 * The store's writes (and touches): inserts that never overwrite, updates that never resurrect, merges of
 * concurrent changes, the user index kept with them; and deletes.
 */
export class SessionWrites {
  readonly #parts: WriteParts

  constructor(parts: WriteParts) {
    this.#parts = parts
  }

  async set(sid: string, session: SessionData): Promise<WriteOutcome> {
    const key = this.#parts.keys.key(sid)
    const member = this.#parts.keys.member(sid)
    const req = requestOf(session)
    const state = req === undefined ? undefined : this.#parts.states.of(session)
    const problem = session.cookie === undefined ? undefined : cookieProblem(cookieData(session.cookie))
    if (problem !== undefined) throw new TypeError(`RedisStore.set: ${problem}; the session was not stored.`)
    const ttl = ttlMs(this.#parts.options, session)
    if (!(ttl > 0)) {
      await this.destroy(sid)
      return 'refused'
    }
    const mode: WriteMode = state?.sid === sid ? 'update' : req !== undefined ? 'insert' : 'upsert'
    const carried = mode === 'insert' && state !== undefined ? state.carryCreated : 0
    const user = this.#parts.keys.userKey(session)
    const { absoluteMs, disableTTL, concurrency } = this.#parts.options
    const idle = idleMs(this.#parts.options, session)
    let payload = this.#parts.codec.encode(session, member)
    let expected = concurrency === 'merge' && mode === 'update' && state?.raw !== undefined ? sha1(state.raw) : ''
    let result: WriteResult
    for (let attempt = 0; ; attempt += 1) {
      const { head, tail } = encodeParts(payload, idle, user)
      const check = attempt < MERGE_ATTEMPTS ? expected : ''
      try {
        result = await this.#parts.outage.call(() =>
          this.#parts.client.runScript(
            writeSession,
            [key],
            writeArgs(head, tail, { mode, ttlMs: disableTTL ? 0 : ttl, absoluteMs, created: carried, check }),
          ),
        )
      } catch (error) {
        if (this.#parts.tolerate(error)) return 'skipped'
        throw error
      }
      if (result.corrupt) this.#parts.events.corrupt(member, wrongTypeSession())
      if (result.kind !== 'conflict') break
      // Another request wrote this session since we loaded it: keep its changes to fields we left alone.
      const base = state?.raw === undefined ? undefined : await this.#parts.codec.decodeLoose(state.raw, member)
      const theirs = await this.#parts.codec.decodeLoose(result.current, member)
      payload = this.#parts.codec.encode(mergeSessions(base, theirs, session), member)
      expected = sha1(result.current)
      if (state !== undefined) state.raw = result.current
    }
    if (result.kind === 'written' && req !== undefined && concurrency === 'merge') {
      this.#parts.states.set(session, {
        sid,
        slid: -1,
        created: result.created,
        carryCreated: 0,
        raw: encodeStored(payload, { created: result.created, idle, user }),
      })
    }
    switch (result.kind) {
      case 'written':
        if (req !== undefined && concurrency !== 'merge')
          this.#parts.states.set(session, { sid, slid: -1, created: result.created, carryCreated: 0, raw: undefined })
        if (this.#parts.index.enabled && user !== result.previousUser) {
          await this.#parts.index.add(sid, user, result.previousUser, result.created, result.now)
        }
        return 'written'
      case 'exists':
        this.#parts.events.refused(member, 'exists')
        throw new SessionIdConflictError()
      case 'gone':
        this.#parts.events.refused(member, 'destroyed')
        return 'refused'
      case 'expired':
        this.#parts.events.refused(member, 'expired')
        if (result.previousUser !== '') await this.#parts.index.remove(result.previousUser, [sid])
        return 'refused'
    }
  }

  /** Deletes a session; resolves to whether it existed. */
  async destroy(sid: string): Promise<boolean> {
    const key = this.#parts.keys.key(sid)
    const result = await this.#parts.outage.call(() => this.#parts.client.runScript(destroySession, [key], []))
    if (result.kind === 'corrupt') this.#parts.events.corrupt(this.#parts.keys.member(sid), wrongTypeSession())
    if (result.kind === 'destroyed' && result.user !== '') await this.#parts.index.remove(result.user, [sid])
    return result.kind === 'destroyed'
  }

  async touch(sid: string, session: SessionData): Promise<void> {
    const { disableTouch, disableTTL, absoluteMs } = this.#parts.options
    if (disableTouch) return
    const key = this.#parts.keys.key(sid)
    const state = requestOf(session) === undefined ? undefined : this.#parts.states.of(session)
    if (disableTTL) {
      // No TTL to move: the stored expiry is what ends the session, so it is rewritten (as
      // MemoryStore does), or `rolling` users would be logged out while active.
      if (state === undefined || state.sid !== sid || state.slid !== -1) await this.set(sid, session)
      return
    }
    if (state !== undefined && state.sid === sid && state.legacy === true) {
      // First use of a session connect-redis wrote: store it in our format once (metadata, user
      // index), so later unchanged requests cost one call and revokeUser finds it.
      state.legacy = false
      await this.set(sid, session)
      return
    }
    const idle = idleMs(this.#parts.options, session)
    // The read already slid the TTL by this idle time (or this request wrote the session): no call.
    // express-session recomputes `originalMaxAge` from the clock on every touch, so it can be a
    // millisecond or two off the stored value; only a real change ("remember me") needs a call.
    if (
      state !== undefined &&
      state.sid === sid &&
      (state.slid === -1 || (state.slid > 0 && Math.abs(state.slid - idle) <= IDLE_TOLERANCE_MS))
    )
      return
    if (state !== undefined && state.sid === sid && state.slid > 0 && idle > 0) {
      // A new idle time for a loaded session ("remember me"): rewritten, so the stored cookie carries
      // it too; moving only the TTL would be undone by the next request, which revives the old one.
      await this.set(sid, session)
      return
    }
    // A fixed expiry (`expires` without `originalMaxAge`) moves to the cookie's new expiry.
    const fixed = idle > 0 ? 0 : ttlMs(this.#parts.options, session)
    if (idle <= 0 && !(fixed > 0)) return
    let touched: 'touched' | 'missing' | 'corrupt'
    try {
      touched = await this.#parts.outage.call(() =>
        this.#parts.client.runScript(touchSession, [key], [idle, absoluteMs, fixed]),
      )
    } catch (error) {
      if (this.#parts.tolerate(error)) return
      throw error
    }
    if (touched === 'corrupt') this.#parts.events.corrupt(this.#parts.keys.member(sid), wrongTypeSession())
    if (state !== undefined && state.sid === sid) state.slid = idle
  }
}
