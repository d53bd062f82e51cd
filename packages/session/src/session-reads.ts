import type { SessionData } from 'express-session'
import { removeCorrupt } from './corrupt-data.js'
import type { LoadedSession } from './request-state.js'
import { ScriptBatcher } from './script-batcher.js'
import { type ReadResult, readSession } from './scripts/read-session.js'
import { isThenable } from './session-codec.js'
import { wrongTypeSession } from './store-events.js'
import type { StoreParts } from './store-parts.js'
import type { StoredValue } from './stored-value.js'

/**
 * The store's reads: one read script call per request (batched), sliding the idle TTL; corrupt data
 * removed and read as no session. What a read learned rides on the session it returns (`loadedOf`).
 */
export class SessionReads {
  readonly #parts: StoreParts
  readonly #batcher: ScriptBatcher<ReadResult>
  /** The read script's arguments, fixed by the options. */
  readonly #readArgs: readonly (string | number)[]
  /**
   * What `get` loaded rides on the session it returns (a non-enumerable symbol property: cheaper
   * than a WeakMap entry per request); `createSession` moves it to the request's state.
   */
  readonly #loadedKey = Symbol('rediware-session-loaded')

  constructor(parts: StoreParts) {
    this.#parts = parts
    this.#batcher = new ScriptBatcher(parts.client, readSession)
    const { absoluteMs, disableTouch, disableTTL, ttlFunction, ttlSeconds } = parts.options
    this.#readArgs = [
      absoluteMs,
      disableTouch || disableTTL ? '0' : '1',
      ttlFunction === undefined ? Math.round(ttlSeconds * 1000) : 0,
    ]
  }

  /** What `get` learned about `session` (a value it returned), or undefined. */
  loadedOf(session: SessionData): LoadedSession | undefined {
    return (session as unknown as Record<symbol, LoadedSession | undefined>)[this.#loadedKey]
  }

  /** Decodes a stored value; corrupt data is removed (and reported) and reads as no session. */
  decode(member: string, key: string, stored: StoredValue): SessionData | null | Promise<SessionData | null> {
    const { client, codec, events } = this.#parts
    const decoded = codec.decode(stored, member)
    const settleDecoded = (value: SessionData | Error): SessionData | null | Promise<null> =>
      value instanceof Error ? removeCorrupt(client, events, member, key, value) : value
    // Only an async serializer makes this a promise; JSON costs no extra tick.
    return isThenable(decoded) ? Promise.resolve(decoded).then(settleDecoded) : settleDecoded(decoded)
  }

  async get(sid: string): Promise<SessionData | null> {
    const { client, keys, events, outage, options } = this.#parts
    const key = keys.key(sid)
    let result: ReadResult
    try {
      result = await this.#batcher.run([key], this.#readArgs)
      outage.succeeded('read')
    } catch (error) {
      const failure = outage.failed(error)
      if (this.#parts.tolerate(failure)) return null
      throw failure
    }
    if (result.kind === 'corrupt') {
      // The script already deleted the key: the request goes on logged out.
      events.corrupt(keys.member(sid), wrongTypeSession())
      return null
    }
    if (result.kind !== 'found') return null
    const meta = result.stored.meta
    const decoded = this.decode(keys.member(sid), key, result.stored)
    const session = isThenable(decoded) ? await decoded : decoded
    if (session === null) return null
    const expires = (session.cookie as SessionData['cookie'] | undefined)?.expires
    // With disableTTL the read does not slide, so it always answers the Redis clock.
    if (
      options.disableTTL &&
      expires !== undefined &&
      expires !== null &&
      new Date(expires).getTime() <= (result.now ?? Date.now())
    ) {
      await outage
        .call(() => client.del(key))
        .catch((error: unknown) => {
          events.background('deleting an expired session', error)
        })
      return null
    }
    const loaded: LoadedSession = {
      slid: result.slid,
      created: meta?.created ?? 0,
      raw: result.value,
      legacy: meta === undefined,
    }
    Object.defineProperty(session, this.#loadedKey, { value: loaded, configurable: true })
    return session
  }
}
