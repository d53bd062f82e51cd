import { createHmac } from 'node:crypto'
import { commands, hashKeyPart, isRedisClientError, isUnavailableError, type RedisClient, warnOnce } from '@rediware/redis'
import expressSession, { type SessionData } from 'express-session'
import { settle } from './callbacks.js'
import { SessionIdConflictError, SessionStoreUnavailableError } from './errors.js'
import { mergeSessions } from './merge.js'
import { type RedisStoreOptions, type ResolvedStoreOptions, resolveStoreOptions, type SessionStoreEvent } from './options.js'
import { destroySession } from './scripts/destroy-session.js'
import { type ReadResult, readSession } from './scripts/read-session.js'
import { touchSession } from './scripts/touch-session.js'
import { sha1, type WriteMode, type WriteResult, writeModeArg, writeSession } from './scripts/write-session.js'
import { ScriptBatcher } from './script-batcher.js'
import { cookieProblem } from './session-cookie.js'
import { decodeStored, encodeParts, encodeStored, type StoredValue } from './stored-value.js'

type Callback<T> = (error: unknown, value?: T) => void
type StoreRequest = Parameters<expressSession.Store['createSession']>[0]
type StoreSession = ReturnType<expressSession.Store['createSession']>

/** One of a user's sessions, as `listUserSessions` returns it. */
export interface UserSessionInfo {
  /** A hash of the session id (the id itself is a bearer token and is not returned). */
  idHash: string
  /** Creation time, Unix ms (Redis clock). */
  createdAt: number
  /** Last time the session was used, Unix ms, estimated from its remaining idle time. */
  lastSeenAt: number
  /** When it expires if unused, Unix ms (null when stored without a TTL). */
  expiresAt: number | null
  /** True for the session id passed as `current`. */
  current: boolean
}

/** What the store knows about the session a request loaded or wrote (keyed by the request). */
interface RequestState {
  /** The id this request loaded or last wrote; writes for it are updates (never resurrect). */
  sid: string | undefined
  /** Idle ms the read slid the TTL by (-1: written in this request; 0: not slid). */
  slid: number
  /** Creation time of that session (Redis clock, ms; 0 when unknown). */
  created: number
  /** For a rotated session: the creation time to carry over to the new id. */
  carryCreated: number
  /** The stored value as loaded or last written (for `concurrency: 'merge'`). */
  raw: string | undefined
  /** Loaded a value without our metadata (written by connect-redis): the end-of-request touch rewrites it. */
  legacy?: boolean
}

/** What `get` learned about the session it returned, for `createSession` to hand to the request. */
interface LoadedSession {
  slid: number
  created: number
  raw: string
  legacy: boolean
}

/** What a write did: stored it, refused it (destroyed, expired, TTL in the past) or skipped it in an outage (`'anonymous'`). */
type WriteOutcome = 'written' | 'refused' | 'skipped'

const { Store } = expressSession

/** Idle times this close are the same idle time (clock drift in express-session's cookie maths). */
const IDLE_TOLERANCE_MS = 1000

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  isObject(value) && typeof (value as { then?: unknown }).then === 'function'

function requestOf(session: unknown): object | undefined {
  if (!isObject(session)) return undefined
  const req = (session as { req?: unknown }).req
  return isObject(req) ? req : undefined
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, (char) => `\\${char}`)

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/** A reply error saying the key holds another Redis type than the command expects (stored garbage). */
const isWrongType = (error: unknown): boolean =>
  isRedisClientError(error) && error.code === 'ERR_REDIS_REPLY' && error.message.includes('WRONGTYPE')

/**
 * Redis answered but will not serve for now: out of memory, a read-only replica, loading its data,
 * a busy script, the cluster down. For a session that is an outage (503, or `'anonymous'`), not a bug.
 */
const isTemporaryRefusal = (error: unknown): boolean =>
  isRedisClientError(error) &&
  error.code === 'ERR_REDIS_REPLY' &&
  /\b(OOM|READONLY|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MISCONF)\b/.test(error.message)

const wrongTypeSession = (): Error =>
  new TypeError('the session key held another Redis type than a string (a hash, list, set…); it was deleted')

function defaultReport(event: SessionStoreEvent): void {
  switch (event.type) {
    case 'store-unavailable':
      console.warn(`@rediware/session: Redis is unavailable (${event.error.message}); session requests fail until it is back.`)
      return
    case 'store-recovered':
      console.warn('@rediware/session: Redis is reachable again.')
      return
    case 'corrupt-session':
      console.warn(`@rediware/session: removed an unreadable session (id hash ${event.idHash}): ${event.error.message}`)
      return
    case 'background-error':
      console.warn(`@rediware/session: ${event.operation} failed: ${event.error.message}`)
      return
    case 'config-warning':
      warnOnce(`rediware-session:${event.message}`, `@rediware/session: ${event.message}`)
      return
    default:
      return
  }
}

/**
 * An express-session store over Redis (ioredis, Cluster, @upstash/redis) or memory. Reads
 * connect-redis data; one Redis call per unchanged request; destroyed sessions stay dead.
 */
export class RedisStore extends Store {
  readonly #options: ResolvedStoreOptions
  readonly #client: RedisClient
  readonly #reads: ScriptBatcher<ReadResult>
  /**
   * What `get` loaded rides on the session it returns (a non-enumerable symbol property: cheaper
   * than a WeakMap entry per request). The request's state stays in a WeakMap: one more property on
   * an Express request measured several times slower (it tips the object into dictionary mode).
   */
  readonly #loadedKey = Symbol('rediware-session-loaded')
  readonly #states = new WeakMap<object, RequestState>()
  /** The read script's arguments, fixed by the options. */
  readonly #readArgs: readonly (string | number)[]
  /** 'refusing': Redis answers reads but refuses writes (e.g. out of memory); a read does not end it. */
  #outage: 'unreachable' | 'refusing' | undefined
  /** Orders index entries created in the same millisecond by this process (fraction of the score). */
  #sequence = 0

  constructor(options: RedisStoreOptions) {
    super()
    this.#options = resolveStoreOptions(options)
    this.#client = this.#options.client
    this.#reads = new ScriptBatcher(this.#client, readSession)
    const { absoluteMs, disableTouch, disableTTL, ttlFunction, ttlSeconds } = this.#options
    this.#readArgs = [absoluteMs, disableTouch || disableTTL ? '0' : '1', ttlFunction === undefined ? Math.round(ttlSeconds * 1000) : 0]
    if (this.#options.userId !== undefined && this.#options.absoluteMs === 0) {
      this.#report({
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

  /** Key prefix of session keys. */
  get prefix(): string {
    return this.#options.prefix
  }

  // ---- express-session Store contract -------------------------------------------------------

  override get(sid: string, callback?: Callback<SessionData | null>): Promise<SessionData | null> {
    return settle(this.#get(sid), callback)
  }

  override set(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return settle(
      this.#set(sid, session).then(() => undefined),
      callback,
    )
  }

  override destroy(sid: string, callback?: Callback<void>): Promise<void> {
    return settle(
      this.#destroy(sid).then(() => undefined),
      callback,
    )
  }

  override touch(sid: string, session: SessionData, callback?: Callback<void>): Promise<void> {
    return settle(this.#touch(sid, session), callback)
  }

  /** Every session, as connect-redis returns them: `[{ ...session, id }]`. Batched per SCAN page. */
  override all(callback?: Callback<(SessionData & { id: string })[]>): Promise<(SessionData & { id: string })[]> {
    return settle(this.#all(), callback)
  }

  override length(callback?: Callback<number>): Promise<number> {
    return settle(
      this.#ids().then((ids) => ids.length),
      callback,
    )
  }

  /** Session ids (without the prefix). */
  ids(callback?: Callback<string[]>): Promise<string[]> {
    return settle(this.#ids(), callback)
  }

  /** Deletes every session under `prefix`, one batch per SCAN page. Refuses an empty prefix. */
  override clear(callback?: Callback<void>): Promise<void> {
    return settle(this.#clear(), callback)
  }

  override createSession(req: StoreRequest, session: SessionData): StoreSession {
    const loaded = (session as unknown as Record<symbol, LoadedSession | undefined>)[this.#loadedKey]
    if (loaded !== undefined) {
      this.#states.set(req, {
        sid: req.sessionID,
        slid: loaded.slid,
        created: loaded.created,
        carryCreated: 0,
        raw: loaded.raw,
        legacy: loaded.legacy,
      })
    }
    return super.createSession(req, session)
  }

  // ---- per-user index -------------------------------------------------------------------------

  /** The live sessions of a user, oldest first. Needs the `userId` option. */
  listUserSessions(userId: string | number, options: { current?: string } = {}): Promise<UserSessionInfo[]> {
    return settle(this.#listUserSessions(userId, options.current))
  }

  /** Destroys every session of a user (except `except`, e.g. `req.sessionID`). Resolves to how many. */
  revokeUser(userId: string | number, options: { except?: string | readonly string[] } = {}): Promise<number> {
    const except = options.except === undefined ? [] : typeof options.except === 'string' ? [options.except] : options.except
    return settle(this.#revokeUser(userId, new Set(except)))
  }

  // ---- internals used by rotateSession ----------------------------------------------------------

  /**
   * @internal Used by `rotateSession`: the request's next write inserts the new id and keeps the
   * old creation time.
   */
  prepareRotation(req: object, sid: string): boolean {
    const previous = this.#states.get(req)
    this.#states.set(req, { sid: undefined, slid: 0, created: 0, carryCreated: previous?.created || previous?.carryCreated || 0, raw: undefined })
    return previous?.sid === sid
  }

  /**
   * @internal Used by `rotateSession` for a session this request loaded: writes the new id first
   * (indexed under its user, so a `revokeUser` from now on finds it), then deletes the old id in
   * one script that also tells whether it still existed. That script is the rotation's moment: a
   * logout, `revokeUser` or absolute deadline that came before it leaves nothing to carry over, and
   * the new id is deleted again (it was never sent to the client). Resolves to whether it kept.
   */
  async commitRotation(req: object, oldSid: string, newSid: string, session: SessionData): Promise<boolean> {
    const written = (await this.#set(newSid, session)) === 'written'
    const existed = await this.#destroy(oldSid)
    if (written && existed) return true
    this.#states.delete(req)
    if (written) {
      await this.#destroy(newSid).catch((error: unknown) => {
        // Unreachable anyway: the new id was never sent; its TTL removes it.
        this.#report({ type: 'background-error', operation: 'removing the id of a rotation that came too late', error: asError(error) })
      })
    }
    this.#report({ type: 'write-refused', idHash: hashKeyPart(this.#member(oldSid)), reason: 'destroyed' })
    return false
  }

  // ---- implementation -------------------------------------------------------------------------

  #key(sid: string): string {
    if (typeof sid !== 'string' || sid.length === 0 || sid.length > 512) {
      throw new TypeError(`RedisStore: session id must be a non-empty string of at most 512 characters; got ${typeof sid}.`)
    }
    return this.#memberKey(this.#member(sid))
  }

  /** What identifies a session in Redis: the id, or its HMAC with `keySecret`. */
  #member(sid: string): string {
    const { keySecret } = this.#options
    return keySecret === undefined ? sid : createHmac('sha256', keySecret).update(sid, 'utf8').digest('base64url')
  }

  #memberKey(member: string): string {
    return this.#options.prefix + member
  }

  #indexKey(userKey: string): string {
    return this.#options.userIndexPrefix + userKey
  }

  #userKey(session: SessionData): string {
    const { userId } = this.#options
    if (userId === undefined) return ''
    const value = userId(session)
    if (value === undefined || value === null || value === '') return ''
    return hashKeyPart(String(value))
  }

  #requireIndex(method: string): void {
    if (this.#options.userId === undefined) {
      throw new TypeError(`RedisStore.${method} needs the userId option, e.g. new RedisStore({ redis, userId: s => s.userId }).`)
    }
  }

  #report(event: SessionStoreEvent): void {
    const sink = this.#options.onEvent ?? defaultReport
    try {
      sink(event)
    } catch {
      // a throwing reporter must not break requests
    }
  }

  #succeeded(operation: 'read' | 'write' = 'write'): void {
    if (this.#outage === undefined || (this.#outage === 'refusing' && operation === 'read')) return
    this.#outage = undefined
    this.#report({ type: 'store-recovered' })
  }

  /** Reports an outage once; returns the error to pass on. */
  #failed(error: unknown): Error {
    const refusal = isTemporaryRefusal(error)
    if (!refusal && !isUnavailableError(error)) return asError(error)
    if (this.#outage === undefined) {
      this.#outage = refusal ? 'refusing' : 'unreachable'
      this.#report({ type: 'store-unavailable', error: asError(error) })
    }
    return new SessionStoreUnavailableError(error)
  }

  /** Runs a Redis operation with outage bookkeeping. */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      const result = await operation()
      this.#succeeded()
      return result
    } catch (error) {
      throw this.#failed(error)
    }
  }

  /** In `'anonymous'` mode an unavailable store is swallowed (the request goes on logged out). */
  #tolerate(error: unknown): boolean {
    return this.#options.onStoreError === 'anonymous' && error instanceof SessionStoreUnavailableError
  }

  /** Milliseconds until this session expires: `ttl` function, else cookie expiry, else `ttl`. */
  #ttlMs(session: SessionData): number {
    const { ttlFunction, ttlSeconds } = this.#options
    if (ttlFunction !== undefined) return Math.round(Number(ttlFunction(session)) * 1000)
    const expires = session.cookie?.expires
    if (expires !== undefined && expires !== null) return new Date(expires).getTime() - Date.now()
    return Math.round(ttlSeconds * 1000)
  }

  /** Idle time the session slides by on use (0: a fixed expiry that does not slide). */
  #idleMs(session: SessionData): number {
    const { ttlFunction, ttlSeconds } = this.#options
    if (ttlFunction !== undefined) return Math.max(0, Math.round(Number(ttlFunction(session)) * 1000))
    const cookie = session.cookie
    if (cookie !== undefined && cookie !== null) {
      if (typeof cookie.originalMaxAge === 'number') return Math.max(0, cookie.originalMaxAge)
      if (cookie.expires !== undefined && cookie.expires !== null) return 0
    }
    return Math.round(ttlSeconds * 1000)
  }

  #reportCorrupt(member: string, error: unknown): void {
    this.#report({ type: 'corrupt-session', idHash: hashKeyPart(member), error: asError(error) })
  }

  async #removeCorrupt(member: string, key: string, error: unknown): Promise<null> {
    this.#reportCorrupt(member, error)
    try {
      await this.#client.del(key)
    } catch (deleteError) {
      this.#report({ type: 'background-error', operation: 'removing a corrupt session', error: asError(deleteError) })
    }
    return null
  }

  /** Parses a stored value (its header already split off by `decodeStored`); corrupt data is removed. */
  #decode(member: string, key: string, stored: StoredValue): SessionData | null | Promise<SessionData | null> {
    let data: unknown
    try {
      data = this.#options.serializer.parse(this.#open(stored.payload, member))
    } catch (error) {
      return this.#removeCorrupt(member, key, error)
    }
    // `parse` may be async; a synchronous one (JSON, the default) costs no extra tick.
    if (isThenable(data)) {
      return Promise.resolve(data).then(
        (parsed) => this.#checkDecoded(member, key, parsed),
        (error: unknown) => this.#removeCorrupt(member, key, error),
      )
    }
    return this.#checkDecoded(member, key, data)
  }

  #checkDecoded(member: string, key: string, data: unknown): SessionData | null | Promise<null> {
    if (!isObject(data) || !isObject(data.cookie)) {
      return this.#removeCorrupt(member, key, new TypeError('stored session is not an object with a cookie'))
    }
    const problem = cookieProblem(data.cookie)
    if (problem !== undefined) return this.#removeCorrupt(member, key, new TypeError(problem))
    if ('__rw' in data) delete data.__rw
    return data as unknown as SessionData
  }

  #seal(payload: string, sid: string): string {
    const { cipher } = this.#options
    return cipher === undefined ? payload : cipher.seal(payload, sid)
  }

  #open(payload: string, sid: string): string {
    const { cipher } = this.#options
    return cipher === undefined ? payload : cipher.open(payload, sid)
  }

  /** Parses a stored value for merging; unreadable data counts as empty. */
  async #parseLoose(value: string, sid: string): Promise<Record<string, unknown>> {
    try {
      const data: unknown = await this.#options.serializer.parse(this.#open(decodeStored(value).payload, sid))
      return isObject(data) ? data : {}
    } catch {
      return {}
    }
  }

  async #get(sid: string): Promise<SessionData | null> {
    const key = this.#key(sid)
    const { disableTTL } = this.#options
    let result: ReadResult
    try {
      result = await this.#reads.run([key], this.#readArgs)
      this.#succeeded('read')
    } catch (error) {
      const failure = this.#failed(error)
      if (this.#tolerate(failure)) return null
      throw failure
    }
    if (result.kind === 'corrupt') {
      // The script already deleted the key: the request goes on logged out.
      this.#reportCorrupt(this.#member(sid), wrongTypeSession())
      return null
    }
    if (result.kind !== 'found') return null
    const meta = result.stored.meta
    const decoded = this.#decode(this.#member(sid), key, result.stored)
    // Only an async serializer (or removing corrupt data) makes this a promise; JSON costs no tick.
    const session = isThenable(decoded) ? await decoded : decoded
    if (session === null) return null
    const expires = session.cookie.expires
    // With disableTTL the read does not slide, so it always answers the Redis clock.
    if (disableTTL && expires !== undefined && expires !== null && new Date(expires).getTime() <= (result.now ?? Date.now())) {
      await this.#call(() => this.#client.del(key)).catch((error: unknown) => {
        this.#report({ type: 'background-error', operation: 'deleting an expired session', error: asError(error) })
      })
      return null
    }
    const loaded: LoadedSession = { slid: result.slid, created: meta?.created ?? 0, raw: result.value, legacy: meta === undefined }
    Object.defineProperty(session, this.#loadedKey, { value: loaded, configurable: true })
    return session
  }

  async #set(sid: string, session: SessionData): Promise<WriteOutcome> {
    const key = this.#key(sid)
    const req = requestOf(session)
    const state = req === undefined ? undefined : this.#states.get(req)
    const ttl = this.#ttlMs(session)
    if (!(ttl > 0)) {
      await this.#destroy(sid)
      return 'refused'
    }
    const mode: WriteMode = state?.sid === sid ? 'update' : req !== undefined ? 'insert' : 'upsert'
    const carried = mode === 'insert' && state !== undefined ? state.carryCreated : 0
    const user = this.#userKey(session)
    const { absoluteMs, disableTTL, serializer, concurrency } = this.#options
    const idle = this.#idleMs(session)
    let payload = this.#seal(serializer.stringify(session), this.#member(sid))
    let expected = concurrency === 'merge' && mode === 'update' && state?.raw !== undefined ? sha1(state.raw) : ''
    let result: WriteResult
    for (let attempt = 0; ; attempt += 1) {
      const { head, tail } = encodeParts(payload, idle, user)
      const check = attempt < 3 ? expected : ''
      try {
        result = await this.#call(() =>
          this.#client.runScript(writeSession, [key], [head, tail, writeModeArg(mode), disableTTL ? 0 : ttl, absoluteMs, carried, check]),
        )
      } catch (error) {
        if (this.#tolerate(error)) return 'skipped'
        throw error
      }
      if (result.corrupt) this.#reportCorrupt(this.#member(sid), wrongTypeSession())
      if (result.kind !== 'conflict') break
      // Another request wrote this session since we loaded it: keep its changes to fields we left alone.
      const base = state?.raw === undefined ? undefined : await this.#parseLoose(state.raw, this.#member(sid))
      const theirs = await this.#parseLoose(result.current, this.#member(sid))
      payload = this.#seal(serializer.stringify(mergeSessions(base, theirs, session)), this.#member(sid))
      expected = sha1(result.current)
      if (state !== undefined) state.raw = result.current
    }
    if (result.kind === 'written' && req !== undefined && concurrency === 'merge') {
      this.#states.set(req, { sid, slid: -1, created: result.created, carryCreated: 0, raw: encodeStored(payload, { created: result.created, idle, user }) })
    }
    switch (result.kind) {
      case 'written':
        if (req !== undefined && concurrency !== 'merge') this.#states.set(req, { sid, slid: -1, created: result.created, carryCreated: 0, raw: undefined })
        if (this.#options.userId !== undefined && user !== result.previousUser) {
          await this.#reindex(sid, user, result.previousUser, result.created, result.now)
        }
        return 'written'
      case 'exists':
        this.#report({ type: 'write-refused', idHash: hashKeyPart(this.#member(sid)), reason: 'exists' })
        throw new SessionIdConflictError()
      case 'gone':
        this.#report({ type: 'write-refused', idHash: hashKeyPart(this.#member(sid)), reason: 'destroyed' })
        return 'refused'
      case 'expired':
        this.#report({ type: 'write-refused', idHash: hashKeyPart(this.#member(sid)), reason: 'expired' })
        if (result.previousUser !== '') await this.#unindex(result.previousUser, [sid])
        return 'refused'
    }
  }

  /** Deletes a session; resolves to whether it existed. */
  async #destroy(sid: string): Promise<boolean> {
    const key = this.#key(sid)
    const result = await this.#call(() => this.#client.runScript(destroySession, [key], []))
    if (result.kind === 'corrupt') this.#reportCorrupt(this.#member(sid), wrongTypeSession())
    if (result.kind === 'destroyed' && result.user !== '') await this.#unindex(result.user, [sid])
    return result.kind === 'destroyed'
  }

  async #touch(sid: string, session: SessionData): Promise<void> {
    const { disableTouch, disableTTL, absoluteMs } = this.#options
    if (disableTouch || disableTTL) return
    const key = this.#key(sid)
    const req = requestOf(session)
    const state = req === undefined ? undefined : this.#states.get(req)
    if (state !== undefined && state.sid === sid && state.legacy === true) {
      // First use of a session connect-redis wrote: store it in our format once (metadata, user
      // index), so later unchanged requests cost one call and revokeUser finds it.
      state.legacy = false
      await this.#set(sid, session)
      return
    }
    const idle = this.#idleMs(session)
    // The read already slid the TTL by this idle time (or this request wrote the session): no call.
    // express-session recomputes `originalMaxAge` from the clock on every touch, so it can be a
    // millisecond or two off the stored value; only a real change ("remember me") needs a call.
    if (state !== undefined && state.sid === sid && (state.slid === -1 || (state.slid > 0 && Math.abs(state.slid - idle) <= IDLE_TOLERANCE_MS))) return
    if (idle <= 0) return
    let touched: 'touched' | 'missing' | 'corrupt'
    try {
      touched = await this.#call(() => this.#client.runScript(touchSession, [key], [idle, absoluteMs]))
    } catch (error) {
      if (this.#tolerate(error)) return
      throw error
    }
    if (touched === 'corrupt') this.#reportCorrupt(this.#member(sid), wrongTypeSession())
    if (state !== undefined && state.sid === sid) state.slid = idle
  }

  async *#pages(): AsyncIterable<string[]> {
    const { prefix, scanCount } = this.#options
    for await (const page of this.#client.scan({ match: `${escapeGlob(prefix)}*`, count: scanCount })) {
      const keys = page.filter((key) => key.startsWith(prefix))
      if (keys.length > 0) yield keys
    }
  }

  async #ids(): Promise<string[]> {
    const { prefix } = this.#options
    const seen = new Set<string>()
    await this.#call(async () => {
      for await (const keys of this.#pages()) for (const key of keys) seen.add(key.slice(prefix.length))
    })
    return [...seen]
  }

  async #all(): Promise<(SessionData & { id: string })[]> {
    const { prefix } = this.#options
    const sessions = new Map<string, SessionData & { id: string }>()
    await this.#call(async () => {
      for await (const keys of this.#pages()) {
        const values = await this.#getValues(keys)
        for (const [index, key] of keys.entries()) {
          const value = values[index]
          if (typeof value !== 'string') continue
          const sid = key.slice(prefix.length)
          const session = await this.#decode(sid, key, decodeStored(value))
          if (session !== null) sessions.set(sid, { ...session, id: sid })
        }
      }
    })
    return [...sessions.values()]
  }

  /**
   * GETs session keys in one batch. When one of them holds another type (WRONGTYPE fails the batch),
   * each key is read on its own and the wrong-type ones are deleted and reported as corrupt (null).
   */
  async #getValues(keys: readonly string[]): Promise<(string | null)[]> {
    try {
      return await this.#client.batch(keys.map((key) => commands.get(key)))
    } catch (error) {
      if (!isWrongType(error)) throw error
    }
    const { prefix } = this.#options
    return Promise.all(
      keys.map(async (key) => {
        try {
          return await this.#client.get(key)
        } catch (error) {
          if (!isWrongType(error)) throw error
          return this.#removeCorrupt(key.slice(prefix.length), key, wrongTypeSession())
        }
      }),
    )
  }

  async #clear(): Promise<void> {
    if (this.#options.prefix === '') {
      throw new RangeError('RedisStore.clear() refuses to run with an empty prefix: it would delete every key in the database.')
    }
    await this.#call(async () => {
      for await (const keys of this.#pages()) await this.#client.batch(keys.map((key) => commands.unlink(key)))
    })
  }

  async #unindex(userKey: string, sids: readonly string[]): Promise<void> {
    if (this.#options.userId === undefined || sids.length === 0) return
    const indexKey = this.#indexKey(userKey)
    try {
      await this.#call(async () => {
        try {
          await this.#client.zrem(indexKey, sids.map((sid) => this.#member(sid)))
        } catch (error) {
          if (!isWrongType(error)) throw error
          // Rebuilt from the sessions' own metadata; the sessions just removed are no longer found.
          await this.#recoverIndex(indexKey, userKey)
        }
      })
    } catch (error) {
      // The index is pruned lazily: a stale member is removed on the user's next login or listing.
      this.#report({ type: 'background-error', operation: 'removing a session from its user index', error: asError(error) })
    }
  }

  /** Index members with their scores (creation times), oldest first. */
  async #indexMembers(indexKey: string, userKey: string): Promise<{ sid: string; created: number }[]> {
    let flat: string[]
    try {
      flat = await this.#client.zrangeByScore(indexKey, '-inf', '+inf', { withScores: true })
    } catch (error) {
      if (!isWrongType(error)) throw error
      return this.#recoverIndex(indexKey, userKey)
    }
    const members: { sid: string; created: number }[] = []
    for (let index = 0; index + 1 < flat.length; index += 2) {
      members.push({ sid: flat[index] ?? '', created: Math.floor(Number(flat[index + 1])) })
    }
    return members
  }

  /**
   * A user index key holding another type than a sorted set (stored garbage): deletes it, reports
   * it once as `corrupt-session` (`idHash`: the hashed user id), and rebuilds it from the metadata
   * every session of ours carries (`"__rw"` names its user index), with one SCAN of the sessions.
   * So `revokeUser` still finds every session of the user. Only runs when the index is corrupt.
   */
  async #recoverIndex(indexKey: string, userKey: string): Promise<{ sid: string; created: number }[]> {
    await this.#client.del(indexKey)
    this.#report({
      type: 'corrupt-session',
      idHash: userKey,
      error: new TypeError('a per-user index key held another Redis type than a sorted set; it was deleted and rebuilt from the sessions'),
    })
    const { prefix, absoluteMs } = this.#options
    const found: { sid: string; created: number }[] = []
    for await (const keys of this.#pages()) {
      const values = await this.#getValues(keys)
      for (const [index, key] of keys.entries()) {
        const value = values[index]
        const meta = typeof value === 'string' ? decodeStored(value).meta : undefined
        if (meta !== undefined && meta.user === userKey) found.push({ sid: key.slice(prefix.length), created: meta.created })
      }
    }
    found.sort((a, b) => a.created - b.created)
    if (found.length > 0) {
      await this.#client.zadd(indexKey, found.map(({ sid, created }) => ({ score: created, member: sid })))
      if (absoluteMs > 0) await this.#client.pexpireAt(indexKey, Math.max(...found.map(({ created }) => created)) + absoluteMs)
    }
    return found
  }

  /**
   * Keeps a user's index exact enough: adds this session, drops members whose session is gone,
   * evicts the oldest beyond `maxSessionsPerUser`, and makes the index expire with its last session.
   */
  async #reindex(sid: string, user: string, previousUser: string, created: number, now: number): Promise<void> {
    if (previousUser !== '') await this.#unindex(previousUser, [sid])
    if (user === '') return
    const indexKey = this.#indexKey(user)
    const { absoluteMs, maxSessionsPerUser } = this.#options
    await this.#call(async () => {
      this.#sequence = (this.#sequence + 1) % 1000
      const entry = [{ score: created + this.#sequence / 1000, member: this.#member(sid) }]
      try {
        await this.#client.zadd(indexKey, entry)
      } catch (error) {
        if (!isWrongType(error)) throw error
        await this.#recoverIndex(indexKey, user)
        await this.#client.zadd(indexKey, entry)
      }
      const members = await this.#indexMembers(indexKey, user)
      const exists = await this.#client.batch(members.map(({ sid: member }) => commands.exists(this.#memberKey(member))))
      const alive = members.filter((_, index) => exists[index] === 1)
      const dead = members.filter((_, index) => exists[index] !== 1).map(({ sid: member }) => member)
      const evicted: string[] = []
      if (alive.length > maxSessionsPerUser) {
        const excess = alive.length - maxSessionsPerUser
        for (const member of alive) {
          if (evicted.length >= excess) break
          if (member.sid !== this.#member(sid)) evicted.push(member.sid)
        }
        if (evicted.length > 0) await this.#client.batch(evicted.map((member) => commands.unlink(this.#memberKey(member))))
      }
      if (dead.length + evicted.length > 0) await this.#client.zrem(indexKey, [...dead, ...evicted])
      if (absoluteMs > 0) {
        const newest = Math.max(created, ...alive.map((member) => member.created))
        await this.#client.pexpireAt(indexKey, Math.max(newest + absoluteMs, now + 1000))
      }
    })
  }

  async #listUserSessions(userId: string | number, current: string | undefined): Promise<UserSessionInfo[]> {
    this.#requireIndex('listUserSessions')
    const userKey = hashKeyPart(String(userId))
    const indexKey = this.#indexKey(userKey)
    const currentMember = current === undefined ? undefined : this.#member(current)
    return this.#call(async () => {
      const members = await this.#indexMembers(indexKey, userKey)
      if (members.length === 0) return []
      const read = () =>
        this.#client.batch([
          commands.time(),
          ...members.flatMap(({ sid }) => [commands.get(this.#memberKey(sid)), commands.pttl(this.#memberKey(sid))]),
        ])
      let replies: Awaited<ReturnType<typeof read>>
      try {
        replies = await read()
      } catch (error) {
        if (!isWrongType(error)) throw error
        // A session key of another type: removed (and reported) as corrupt, then read again.
        await this.#getValues(members.map(({ sid }) => this.#memberKey(sid)))
        replies = await read()
      }
      const [nowReply, ...rest] = replies
      const now = typeof nowReply === 'number' ? nowReply : Date.now()
      const list: UserSessionInfo[] = []
      const dead: string[] = []
      for (const [index, member] of members.entries()) {
        const value = rest[index * 2]
        const pttl = rest[index * 2 + 1]
        if (typeof value !== 'string') {
          dead.push(member.sid)
          continue
        }
        const meta = decodeStored(value).meta
        const expiresAt = typeof pttl === 'number' && pttl >= 0 ? now + pttl : null
        const idle = meta?.idle ?? 0
        const lastSeenAt = expiresAt !== null && idle > 0 ? Math.min(now, expiresAt - idle) : (meta?.created ?? member.created)
        list.push({
          idHash: hashKeyPart(member.sid),
          createdAt: meta?.created ?? member.created,
          lastSeenAt: Math.max(lastSeenAt, meta?.created ?? member.created),
          expiresAt,
          current: currentMember !== undefined && member.sid === currentMember,
        })
      }
      if (dead.length > 0) await this.#client.zrem(indexKey, dead)
      return list
    })
  }

  async #revokeUser(userId: string | number, except: ReadonlySet<string>): Promise<number> {
    this.#requireIndex('revokeUser')
    const userKey = hashKeyPart(String(userId))
    const indexKey = this.#indexKey(userKey)
    return this.#call(async () => {
      const members = await this.#indexMembers(indexKey, userKey)
      const kept = new Set([...except].map((sid) => this.#member(sid)))
      const doomed = members.map(({ sid }) => sid).filter((member) => !kept.has(member))
      let revoked = 0
      for (let start = 0; start < doomed.length; start += this.#options.scanCount) {
        const chunk = doomed.slice(start, start + this.#options.scanCount)
        const counts = await this.#client.batch(chunk.map((sid) => commands.unlink(this.#memberKey(sid))))
        revoked += counts.reduce<number>((sum, count) => sum + (typeof count === 'number' ? count : 0), 0)
        await this.#client.zrem(indexKey, chunk)
      }
      return revoked
    })
  }
}
