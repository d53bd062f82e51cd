import { createHmac } from 'node:crypto'
import { hashKeyPart } from '@rediware/redis'
import type { SessionData } from 'express-session'
import type { ResolvedStoreOptions } from './options.js'

/** Ids longer than this are refused before they reach a key (express-session's own are far shorter). */
const MAX_SID_LENGTH = 512

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, (char) => `\\${char}`)

/**
 * Key naming. Sessions live at `<prefix><sid>`, connect-redis's layout (so its data is read and
 * rollback works), or at `<prefix><HMAC(keySecret, sid)>`; that is why they are not built with the
 * shared `KeyLayout`, which hashes or escapes parts. User indexes live at `<userIndexPrefix><hashed user id>`.
 */
export class SessionKeys {
  readonly #options: Pick<ResolvedStoreOptions, 'prefix' | 'userIndexPrefix' | 'keySecret' | 'userId'>

  constructor(options: Pick<ResolvedStoreOptions, 'prefix' | 'userIndexPrefix' | 'keySecret' | 'userId'>) {
    this.#options = options
  }

  get prefix(): string {
    return this.#options.prefix
  }

  /** SCAN pattern matching every session key. */
  get pattern(): string {
    return `${escapeGlob(this.#options.prefix)}*`
  }

  /** The key of a session id; throws a TypeError for an id that is not a bounded, non-empty string. */
  key(sid: string): string {
    if (typeof sid !== 'string' || sid.length === 0 || sid.length > MAX_SID_LENGTH) {
      throw new TypeError(
        `RedisStore: session id must be a non-empty string of at most ${MAX_SID_LENGTH} characters; got ${typeof sid}.`,
      )
    }
    return this.memberKey(this.member(sid))
  }

  /** What identifies a session in Redis: the id, or its HMAC with `keySecret`. */
  member(sid: string): string {
    const { keySecret } = this.#options
    return keySecret === undefined ? sid : createHmac('sha256', keySecret).update(sid, 'utf8').digest('base64url')
  }

  memberKey(member: string): string {
    return this.#options.prefix + member
  }

  /** The member part of a session key found by SCAN. */
  memberOf(key: string): string {
    return key.slice(this.#options.prefix.length)
  }

  indexKey(userKey: string): string {
    return this.#options.userIndexPrefix + userKey
  }

  /** The hashed user id of a session ('' when it has none or the `userId` option is not set). */
  userKey(session: SessionData): string {
    const { userId } = this.#options
    if (userId === undefined) return ''
    const value = userId(session)
    if (value === undefined || value === null || value === '') return ''
    return hashKeyPart(String(value))
  }
}
