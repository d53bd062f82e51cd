import type { RedisClient } from '@rediware/redis'
import expressSession, { type SessionData } from 'express-session'
import { settle } from './callbacks.js'
import { SessionStoreUnavailableError } from './errors.js'
import { type RedisStoreOptions, type ResolvedStoreOptions, resolveStoreOptions, type Serializer } from './options.js'
import { RequestStates } from './request-states.js'
import { isObject, SessionCodec } from './session-codec.js'
import { SessionKeys } from './session-keys.js'
import { SessionReads } from './session-reads.js'
import { SessionScan } from './session-scan.js'
import { SessionWrites } from './session-writes.js'
import { StoreEvents } from './store-events.js'
import { StoreOutage } from './store-outage.js'
import type { StoreParts } from './store-parts.js'
import { commitRotation, prepareRotation } from './store-rotation.js'
import { decodeStored } from './stored-value.js'
import { UserIndex, type UserSessionInfo } from './user-index.js'

type Callback<T> = (error: unknown, value?: T) => void
type StoreRequest = Parameters<expressSession.Store['createSession']>[0]
type StoreSession = ReturnType<expressSession.Store['createSession']>

const { Store } = expressSession

/**
 * An express-session store over Redis (ioredis, Cluster, @upstash/redis) or memory. Reads
 * connect-redis data; one Redis call per unchanged request; destroyed sessions stay dead.
 */
export class RedisStore extends Store {
  readonly #options: ResolvedStoreOptions
  readonly #client: RedisClient
  readonly #reads: SessionReads
  readonly #keys: SessionKeys
  readonly #codec: SessionCodec
  readonly #events: StoreEvents
  readonly #outage: StoreOutage
  readonly #scan: SessionScan
  readonly #index: UserIndex
  readonly #writes: SessionWrites
  readonly #states = new RequestStates()

  constructor(options: RedisStoreOptions) {
    super()
    this.#options = resolveStoreOptions(options)
    this.#client = this.#options.client
    this.#keys = new SessionKeys(this.#options)
    this.#codec = new SessionCodec(this.#options)
    this.#events = new StoreEvents(this.#options.onEvent)
    this.#outage = new StoreOutage(this.#events)
    this.#scan = new SessionScan(this.#client, this.#keys, this.#events, this.#options.scanCount)
    this.#index = new UserIndex(
      this.#client,
      { keys: this.#keys, scan: this.#scan, events: this.#events, outage: this.#outage },
      this.#options,
    )
    const parts: StoreParts = {
      client: this.#client,
      options: this.#options,
      keys: this.#keys,
      codec: this.#codec,
      events: this.#events,
      outage: this.#outage,
      tolerate: (error) => this.#tolerate(error),
    }
    this.#reads = new SessionReads(parts)
    this.#writes = new SessionWrites({ ...parts, index: this.#index, states: this.#states })
    if (this.#options.userId !== undefined && this.#options.absoluteMs === 0) {
      this.#events.report({
        type: 'config-warning',
        message:
          'userId is set without absoluteTimeout: per-user indexes then have no TTL and are only pruned when the user logs in again. Set absoluteTimeout (e.g. "30 d") so they expire.',
      })
    }
  }

  /** The client the store talks to. */
  get client(): RedisClient {
    return this.#client
  }

  // The options as connect-redis exposes them (read-only here).

  /** Key prefix of session keys. */
  get prefix(): string {
    return this.#options.prefix
  }

  /** Idle time to live in seconds (a duration string is given here in seconds), or the `ttl` function. */
  get ttl(): number | ((session: SessionData) => number) {
    return this.#options.ttlFunction ?? this.#options.ttlSeconds
  }

  get scanCount(): number {
    return this.#options.scanCount
  }

  get serializer(): Serializer {
    return this.#options.serializer
  }

  get disableTouch(): boolean {
    return this.#options.disableTouch
  }

  get disableTTL(): boolean {
    return this.#options.disableTTL
  }

  // ---- express-session Store contract -------------------------------------------------------

  override get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
    return settle(this.#reads.get(sid), callback)
  }

  override set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return settle(
      this.#writes.set(sid, session).then(() => undefined),
      callback,
    )
  }

  override destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return settle(
      this.#writes.destroy(sid).then(() => undefined),
      callback,
    )
  }

  override touch(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return settle(this.#writes.touch(sid, session), callback)
  }

  /** Every session, as connect-redis returns them: `[{ ...session, id }]`. Batched per SCAN page. */
  override all(callback?: Callback<(SessionData & { id: string })[]>): Promise<(SessionData & { id: string })[]> {
    return settle(
      this.#outage.call(() =>
        this.#scan.all((member, key, value) => this.#reads.decode(member, key, decodeStored(value))),
      ),
      callback,
    )
  }

  override length(callback?: Callback<number>): Promise<number> {
    return settle(
      this.#outage.call(() => this.#scan.ids()).then((ids) => ids.length),
      callback,
    )
  }

  /** Session ids (without the prefix). */
  ids(callback?: Callback<string[]>): Promise<string[]> {
    return settle(
      this.#outage.call(() => this.#scan.ids()),
      callback,
    )
  }

  /** Deletes every session under `prefix`, one batch per SCAN page. Refuses an empty prefix. */
  override clear(callback?: Callback<void>): Promise<void> {
    return settle(
      this.#outage.call(() => this.#scan.clear()),
      callback,
    )
  }

  override createSession(req: StoreRequest, session: SessionData): StoreSession {
    // A session stored without a cookie (through the Store API) cannot be revived by express-session:
    // the request gets a new, empty one instead of an error, and the stored value stays.
    const { generate } = this as { generate?: (req: StoreRequest) => void }
    if (!isObject(session.cookie) && typeof generate === 'function') return this.#emptySession(req, session, generate)
    const loaded = this.#reads.loadedOf(session)
    const created = super.createSession(req, session)
    if (loaded !== undefined) {
      this.#states.set(created, {
        sid: req.sessionID,
        slid: loaded.slid,
        created: loaded.created,
        carryCreated: 0,
        raw: loaded.raw,
        legacy: loaded.legacy,
      })
    }
    return created
  }

  // ---- per-user index -------------------------------------------------------------------------

  /** The live sessions of a user, oldest first. Needs the `userId` option. */
  listUserSessions(userId: string | number, options: { current?: string } = {}): Promise<UserSessionInfo[]> {
    return settle(this.#index.list(userId, options.current))
  }

  /** Destroys every session of a user (except `except`, e.g. `req.sessionID`). Resolves to how many. */
  revokeUser(userId: string | number, options: { except?: string | readonly string[] } = {}): Promise<number> {
    const except =
      options.except === undefined ? [] : typeof options.except === 'string' ? [options.except] : options.except
    return settle(this.#index.revoke(userId, new Set(except)))
  }

  // ---- internals used by rotateSession ----------------------------------------------------------

  /** @internal Used by `rotateSession`; see `prepareRotation` in store-rotation.ts. */
  prepareRotation(req: object, sid: string): boolean {
    return prepareRotation(this.#states, req, sid)
  }

  /** @internal Used by `rotateSession`; see `commitRotation` in store-rotation.ts. */
  commitRotation(req: object, oldSid: string, newSid: string, session: SessionData): Promise<boolean> {
    return commitRotation(
      { states: this.#states, writes: this.#writes, events: this.#events, keys: this.#keys },
      req,
      oldSid,
      newSid,
      session,
    )
  }

  // ---- implementation -------------------------------------------------------------------------

  /**
   * The session express-session would create for a new visitor. `session` (the object `get`
   * returned) is emptied too: express-session compares the request's session with it to decide
   * whether to save, so an untouched empty session is neither saved nor sent as a cookie.
   */
  #emptySession(req: StoreRequest, session: SessionData, generate: (req: StoreRequest) => void): StoreSession {
    for (const name of Object.keys(session)) delete (session as unknown as Record<string, unknown>)[name]
    generate.call(this, req)
    return req.session
  }

  /** In `'anonymous'` mode an unavailable store is swallowed (the request goes on logged out). */
  #tolerate(error: unknown): boolean {
    return this.#options.onStoreError === 'anonymous' && error instanceof SessionStoreUnavailableError
  }
}
