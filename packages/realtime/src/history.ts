import type { RedisClient } from '@rediware/redis'
import { ORIGIN } from './event-id.js'
import type { ChannelKeys } from './keys.js'
import { LogEntry } from './log-entry.js'

export interface HistoryPage {
  /** Events after the position were trimmed (or the log is gone): the reader missed some. */
  readonly gap: boolean
  /** The events after the position, oldest first (empty when `gap`). */
  readonly entries: readonly LogEntry[]
  /** The page reached the end of the log. */
  readonly complete: boolean
}

/**
 * Reads a channel's log with plain XRANGE/XREVRANGE (no blocking command, so it works over
 * Upstash's REST API as over TCP).
 *
 * A reader at position P has missed nothing when P is still in the log (trimming removes the
 * oldest entries first, so everything after P is there too), or when P is gone but the first entry
 * after it names P as its predecessor. Anything else is a gap: the entries between were trimmed,
 * the log expired, or Redis lost its data.
 */
export class History {
  readonly #client: RedisClient
  readonly #timeout: number | undefined

  constructor(client: RedisClient, timeout: number | undefined) {
    this.#client = client
    this.#timeout = timeout
  }

  /** The newest event's id, or ORIGIN when the log is empty or does not exist. */
  async tail(keys: ChannelKeys): Promise<string> {
    const [newest] = await this.#client.xrevrange(keys.log, '+', '-', { count: 1, timeout: this.#timeout })
    return newest?.id ?? ORIGIN
  }

  /** Up to `count` events after `position`, and whether any were lost before them. */
  async after(keys: ChannelKeys, position: string, count: number): Promise<HistoryPage> {
    const fromOrigin = position === ORIGIN
    const limit = fromOrigin ? count : count + 1
    const raw = await this.#client.xrange(keys.log, fromOrigin ? '-' : position, '+', {
      count: limit,
      timeout: this.#timeout,
    })
    const entries = raw.map(LogEntry.fromStream)
    const complete = raw.length < limit
    const first = entries[0]
    if (fromOrigin) return { gap: first !== undefined && first.prev !== ORIGIN, entries, complete }
    if (first?.id === position) return { gap: false, entries: entries.slice(1), complete }
    if (first === undefined || first.prev !== position) return { gap: true, entries: [], complete: true }
    return { gap: false, entries, complete }
  }
}
