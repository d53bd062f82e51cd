import { KeyLayout } from '@rediware/redis'

/** The Redis names of one channel. */
export interface ChannelKeys {
  /** The stream that is the channel's log. */
  readonly log: string
  /** The pub/sub channel that wakes every process up when the log grows. */
  readonly live: string
}

/**
 * Key layout of `@rediware/realtime` (documented in the README):
 *
 * - `<prefix>{<prefix><channel>}:log`: a stream, the channel's history; one entry per event with fields
 *   `p` (the previous event's id), `t` (type) and `d` (data as JSON). Trimmed to about
 *   `history.maxLen` entries and to `history.ttl` on each publish; the key expires `history.ttl`
 *   after the last publish.
 * - `<prefix>{<prefix><channel>}:live`: the pub/sub channel (sharded on Cluster) each publish announces the
 *   new event on, in the same slot as the log.
 *
 * `<channel>` goes through `keyPart`: short names of letters, digits, `.`, `_` and `-` stay
 * readable; anything else (`user:42`, long or non-ASCII names) is hashed. Each channel is its own
 * hash tag, so channels spread over a Cluster's slots.
 */
export class RealtimeKeys {
  readonly #layout: KeyLayout

  constructor(prefix: string) {
    this.#layout = new KeyLayout(prefix)
  }

  of(channel: string): ChannelKeys {
    const group = this.#layout.group(channel)
    return { log: group.key('log'), live: group.key('live') }
  }
}
