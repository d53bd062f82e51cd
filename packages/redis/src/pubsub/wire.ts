/**
 * What a backend's subscriber connection reports. Channel names here are the caller's (any key
 * prefix the backend adds on the wire is already removed).
 */
export interface WireEvents {
  message(channel: string, message: string): void
  /** These channels are subscribed now: the first time, or again after the connection came back. */
  subscribed(channels: readonly string[]): void
  /** These channels lost their subscription (the connection dropped); the wire is resubscribing them. */
  lost(channels: readonly string[], error: Error): void
}

/**
 * One backend's subscriber side: a connection (or, on Cluster, one per shard; on Upstash, one HTTP
 * stream per channel) that keeps the wanted channels subscribed, reconnecting with backoff, until
 * `close()`.
 */
export interface PubSubWire {
  subscribe(channels: readonly string[]): void
  unsubscribe(channels: readonly string[]): void
  /** Ends every connection at once (no QUIT round trip): it never waits on an unreachable server. */
  close(): Promise<void>
}

export type OpenWire = (events: WireEvents) => PubSubWire

/** Reconnect delays of every wire: 100 ms, 200 ms, … up to 2 s. */
export const reconnectDelay = (attempt: number): number => Math.min(2000, 100 * Math.max(1, attempt))

/**
 * A wire whose real one is opened once `pending` resolves (a client built from the environment
 * loads its driver on first use). Calls made meanwhile are replayed in order.
 */
export class DeferredWire implements PubSubWire {
  #wire: PubSubWire | undefined
  #closed = false
  readonly #queued: ((wire: PubSubWire) => void)[] = []

  constructor(pending: Promise<PubSubWire>, events: WireEvents) {
    pending.then(
      (wire) => {
        if (this.#closed) {
          void wire.close()
          return
        }
        this.#wire = wire
        for (const call of this.#queued.splice(0)) call(wire)
      },
      (error: unknown) => events.lost([], error instanceof Error ? error : new Error(String(error))),
    )
  }

  #call(call: (wire: PubSubWire) => void): void {
    if (this.#wire) call(this.#wire)
    else this.#queued.push(call)
  }

  subscribe(channels: readonly string[]): void {
    this.#call((wire) => wire.subscribe(channels))
  }

  unsubscribe(channels: readonly string[]): void {
    this.#call((wire) => wire.unsubscribe(channels))
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#queued.length = 0
    await this.#wire?.close()
  }
}
