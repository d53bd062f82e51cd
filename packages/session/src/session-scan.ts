import { commands, type RedisClient } from '@rediware/redis'
import type { SessionData } from 'express-session'
import { isWrongType, removeCorrupt } from './corrupt-data.js'
import type { SessionKeys } from './session-keys.js'
import { type StoreEvents, wrongTypeSession } from './store-events.js'

/** Walks every session key under the prefix, one SCAN page at a time (all masters on Cluster). */
export class SessionScan {
  readonly #client: RedisClient
  readonly #keys: SessionKeys
  readonly #events: StoreEvents
  readonly #count: number

  constructor(client: RedisClient, keys: SessionKeys, events: StoreEvents, count: number) {
    this.#client = client
    this.#keys = keys
    this.#events = events
    this.#count = count
  }

  /** Session ids (members, without the prefix), each once. */
  async ids(): Promise<string[]> {
    const seen = new Set<string>()
    for await (const keys of this.pages()) for (const key of keys) seen.add(this.#keys.memberOf(key))
    return [...seen]
  }

  /** Every readable session as `{ ...session, id }`; `decode` answers null for corrupt data (and removes it). */
  async all(
    decode: (member: string, key: string, value: string) => SessionData | null | Promise<SessionData | null>,
  ): Promise<(SessionData & { id: string })[]> {
    const sessions = new Map<string, SessionData & { id: string }>()
    for await (const keys of this.pages()) {
      const values = await this.values(keys)
      for (const [index, key] of keys.entries()) {
        const value = values[index]
        if (typeof value !== 'string') continue
        const member = this.#keys.memberOf(key)
        const session = await decode(member, key, value)
        if (session !== null) sessions.set(member, { ...session, id: member })
      }
    }
    return [...sessions.values()]
  }

  /** Deletes every session key, one batch per page. Refuses an empty prefix. */
  async clear(): Promise<void> {
    if (this.#keys.prefix === '') {
      throw new RangeError(
        'RedisStore.clear() refuses to run with an empty prefix: it would delete every key in the database.',
      )
    }
    for await (const keys of this.pages()) await this.#client.batch(keys.map((key) => commands.unlink(key)))
  }

  async *pages(): AsyncIterable<string[]> {
    const { prefix } = this.#keys
    for await (const page of this.#client.scan({ match: this.#keys.pattern, count: this.#count })) {
      const keys = page.filter((key) => key.startsWith(prefix))
      if (keys.length > 0) yield keys
    }
  }

  /**
   * GETs session keys in one batch. When one of them holds another type (WRONGTYPE fails the batch),
   * each key is read on its own and the wrong-type ones are deleted and reported as corrupt (null).
   */
  async values(keys: readonly string[]): Promise<(string | null)[]> {
    try {
      return await this.#client.batch(keys.map((key) => commands.get(key)))
    } catch (error) {
      if (!isWrongType(error)) throw error
    }
    return Promise.all(
      keys.map(async (key) => {
        try {
          return await this.#client.get(key)
        } catch (error) {
          if (!isWrongType(error)) throw error
          return removeCorrupt(this.#client, this.#events, this.#keys.memberOf(key), key, wrongTypeSession())
        }
      }),
    )
  }
}
