import { commands, hashKeyPart, type RedisClient } from '@rediware/redis'
import { isWrongType } from './corrupt-data.js'
import type { ResolvedStoreOptions } from './options.js'
import type { SessionKeys } from './session-keys.js'
import type { SessionScan } from './session-scan.js'
import type { StoreEvents } from './store-events.js'
import type { StoreOutage } from './store-outage.js'
import { decodeStored } from './stored-value.js'

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

interface IndexMember {
  /** The session's member (its id, or the id's HMAC with `keySecret`). */
  sid: string
  created: number
}

/** Index entries created in the same millisecond by this process are ordered by a fraction of the score. */
const SEQUENCE_SPAN = 1000

/** The per-user index: a sorted set of a user's session members, scored by creation time. */
export class UserIndex {
  readonly #client: RedisClient
  readonly #keys: SessionKeys
  readonly #scan: SessionScan
  readonly #events: StoreEvents
  readonly #outage: StoreOutage
  readonly #options: Pick<ResolvedStoreOptions, 'userId' | 'absoluteMs' | 'maxSessionsPerUser' | 'scanCount'>
  #sequence = 0

  constructor(
    client: RedisClient,
    parts: { keys: SessionKeys; scan: SessionScan; events: StoreEvents; outage: StoreOutage },
    options: Pick<ResolvedStoreOptions, 'userId' | 'absoluteMs' | 'maxSessionsPerUser' | 'scanCount'>,
  ) {
    this.#client = client
    this.#keys = parts.keys
    this.#scan = parts.scan
    this.#events = parts.events
    this.#outage = parts.outage
    this.#options = options
  }

  get enabled(): boolean {
    return this.#options.userId !== undefined
  }

  require(method: string): void {
    if (!this.enabled) {
      throw new TypeError(
        `RedisStore.${method} needs the userId option, e.g. new RedisStore({ redis, userId: s => s.userId }).`,
      )
    }
  }

  /** Drops sessions from a user's index; a failure is reported, never thrown (the index is pruned lazily). */
  async remove(userKey: string, sids: readonly string[]): Promise<void> {
    if (!this.enabled || sids.length === 0) return
    const indexKey = this.#keys.indexKey(userKey)
    try {
      await this.#outage.call(async () => {
        try {
          await this.#client.zrem(
            indexKey,
            sids.map((sid) => this.#keys.member(sid)),
          )
        } catch (error) {
          if (!isWrongType(error)) throw error
          // Rebuilt from the sessions' own metadata; the sessions just removed are no longer found.
          await this.#recover(indexKey, userKey)
        }
      })
    } catch (error) {
      // A stale member is removed on the user's next login or listing.
      this.#events.background('removing a session from its user index', error)
    }
  }

  /**
   * Keeps a user's index exact enough: adds this session, drops members whose session is gone,
   * evicts the oldest beyond `maxSessionsPerUser`, and makes the index expire with its last session.
   */
  async add(sid: string, user: string, previousUser: string, created: number, now: number): Promise<void> {
    if (previousUser !== '') await this.remove(previousUser, [sid])
    if (user === '') return
    const indexKey = this.#keys.indexKey(user)
    const { absoluteMs, maxSessionsPerUser } = this.#options
    const self = this.#keys.member(sid)
    await this.#outage.call(async () => {
      this.#sequence = (this.#sequence + 1) % SEQUENCE_SPAN
      const entry = [{ score: created + this.#sequence / SEQUENCE_SPAN, member: self }]
      try {
        await this.#client.zadd(indexKey, entry)
      } catch (error) {
        if (!isWrongType(error)) throw error
        await this.#recover(indexKey, user)
        await this.#client.zadd(indexKey, entry)
      }
      const members = await this.#members(indexKey, user)
      const exists = await this.#client.batch(
        members.map(({ sid: member }) => commands.exists(this.#keys.memberKey(member))),
      )
      const alive = members.filter((_, index) => exists[index] === 1)
      const dead = members.filter((_, index) => exists[index] !== 1).map(({ sid: member }) => member)
      const evicted: string[] = []
      if (alive.length > maxSessionsPerUser) {
        const excess = alive.length - maxSessionsPerUser
        for (const member of alive) {
          if (evicted.length >= excess) break
          if (member.sid !== self) evicted.push(member.sid)
        }
        if (evicted.length > 0)
          await this.#client.batch(evicted.map((member) => commands.unlink(this.#keys.memberKey(member))))
      }
      if (dead.length + evicted.length > 0) await this.#client.zrem(indexKey, [...dead, ...evicted])
      if (absoluteMs > 0) {
        const newest = Math.max(created, ...alive.map((member) => member.created))
        await this.#client.pexpireAt(indexKey, Math.max(newest + absoluteMs, now + 1000))
      }
    })
  }

  async list(userId: string | number, current: string | undefined): Promise<UserSessionInfo[]> {
    this.require('listUserSessions')
    const userKey = hashKeyPart(String(userId))
    const indexKey = this.#keys.indexKey(userKey)
    const currentMember = current === undefined ? undefined : this.#keys.member(current)
    return this.#outage.call(async () => {
      const members = await this.#members(indexKey, userKey)
      if (members.length === 0) return []
      const read = () =>
        this.#client.batch([
          commands.time(),
          ...members.flatMap(({ sid }) => [
            commands.get(this.#keys.memberKey(sid)),
            commands.pttl(this.#keys.memberKey(sid)),
          ]),
        ])
      let replies: Awaited<ReturnType<typeof read>>
      try {
        replies = await read()
      } catch (error) {
        if (!isWrongType(error)) throw error
        // A session key of another type: removed (and reported) as corrupt, then read again.
        await this.#scan.values(members.map(({ sid }) => this.#keys.memberKey(sid)))
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
        const lastSeenAt =
          expiresAt !== null && idle > 0 ? Math.min(now, expiresAt - idle) : (meta?.created ?? member.created)
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

  async revoke(userId: string | number, except: ReadonlySet<string>): Promise<number> {
    this.require('revokeUser')
    const userKey = hashKeyPart(String(userId))
    const indexKey = this.#keys.indexKey(userKey)
    const { scanCount } = this.#options
    return this.#outage.call(async () => {
      const members = await this.#members(indexKey, userKey)
      const kept = new Set([...except].map((sid) => this.#keys.member(sid)))
      const doomed = members.map(({ sid }) => sid).filter((member) => !kept.has(member))
      let revoked = 0
      for (let start = 0; start < doomed.length; start += scanCount) {
        const chunk = doomed.slice(start, start + scanCount)
        const counts = await this.#client.batch(chunk.map((sid) => commands.unlink(this.#keys.memberKey(sid))))
        revoked += counts.reduce<number>((sum, count) => sum + (typeof count === 'number' ? count : 0), 0)
        await this.#client.zrem(indexKey, chunk)
      }
      return revoked
    })
  }

  /** Index members with their scores (creation times), oldest first. */
  async #members(indexKey: string, userKey: string): Promise<IndexMember[]> {
    let flat: string[]
    try {
      flat = await this.#client.zrangeByScore(indexKey, '-inf', '+inf', { withScores: true })
    } catch (error) {
      if (!isWrongType(error)) throw error
      return this.#recover(indexKey, userKey)
    }
    const members: IndexMember[] = []
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
  async #recover(indexKey: string, userKey: string): Promise<IndexMember[]> {
    await this.#client.del(indexKey)
    this.#events.report({
      type: 'corrupt-session',
      idHash: userKey,
      error: new TypeError(
        'a per-user index key held another Redis type than a sorted set; it was deleted and rebuilt from the sessions',
      ),
    })
    const { absoluteMs } = this.#options
    const found: IndexMember[] = []
    for await (const keys of this.#scan.pages()) {
      const values = await this.#scan.values(keys)
      for (const [index, key] of keys.entries()) {
        const value = values[index]
        const meta = typeof value === 'string' ? decodeStored(value).meta : undefined
        if (meta !== undefined && meta.user === userKey)
          found.push({ sid: this.#keys.memberOf(key), created: meta.created })
      }
    }
    found.sort((a, b) => a.created - b.created)
    if (found.length > 0) {
      await this.#client.zadd(
        indexKey,
        found.map(({ sid, created }) => ({ score: created, member: sid })),
      )
      if (absoluteMs > 0)
        await this.#client.pexpireAt(indexKey, Math.max(...found.map(({ created }) => created)) + absoluteMs)
    }
    return found
  }
}
