import type { SessionData } from 'express-session'
import type { ResolvedStoreOptions } from './options.js'
import { cookieProblem } from './session-cookie.js'
import { decodeStored, type StoredValue } from './stored-value.js'

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  isObject(value) && typeof (value as { then?: unknown }).then === 'function'

/** A decoded session, or why the stored value is not one. */
export type Decoded = SessionData | Error

/**
 * Session payloads: `serializer` plus optional encryption (sealed with the session's member, so a
 * value moved to another key does not open). Decoding checks the shape express-session needs.
 */
export class SessionCodec {
  readonly #options: Pick<ResolvedStoreOptions, 'serializer' | 'cipher'>

  constructor(options: Pick<ResolvedStoreOptions, 'serializer' | 'cipher'>) {
    this.#options = options
  }

  /** The payload to store for a session. */
  encode(session: unknown, member: string): string {
    return this.#seal(this.#options.serializer.stringify(session), member)
  }

  /**
   * Parses a stored value (its header already split off by `decodeStored`). A synchronous
   * serializer (JSON, the default) answers without a promise.
   */
  decode(stored: StoredValue, member: string): Decoded | Promise<Decoded> {
    let data: unknown
    try {
      data = this.#options.serializer.parse(this.#open(stored.payload, member))
    } catch (error) {
      return asError(error)
    }
    const ours = stored.meta !== undefined
    if (isThenable(data)) return Promise.resolve(data).then((parsed) => checkDecoded(parsed, ours), asError)
    return checkDecoded(data, ours)
  }

  /** Parses a stored value for merging; unreadable data counts as empty. */
  async decodeLoose(value: string, member: string): Promise<Record<string, unknown>> {
    try {
      const data: unknown = await this.#options.serializer.parse(this.#open(decodeStored(value).payload, member))
      return isObject(data) ? data : {}
    } catch {
      return {}
    }
  }

  #seal(payload: string, member: string): string {
    const { cipher } = this.#options
    return cipher === undefined ? payload : cipher.seal(payload, member)
  }

  #open(payload: string, member: string): string {
    const { cipher } = this.#options
    return cipher === undefined ? payload : cipher.open(payload, member)
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * A session must be a plain object. One we wrote (with our header) is returned as it was set, with
 * or without a cookie; one without our header (connect-redis's, or written by hand) is a session
 * only with a cookie, as express-session always stores one.
 */
function checkDecoded(data: unknown, ours: boolean): Decoded {
  if (!isObject(data) || Array.isArray(data)) return new TypeError('stored session is not an object')
  if (data.cookie === undefined && ours) {
    if ('__rw' in data) delete data.__rw
    return data as unknown as SessionData
  }
  if (!isObject(data.cookie)) return new TypeError('stored session is not an object with a cookie')
  const problem = cookieProblem(data.cookie)
  if (problem !== undefined) return new TypeError(problem)
  if ('__rw' in data) delete data.__rw
  return data as unknown as SessionData
}
