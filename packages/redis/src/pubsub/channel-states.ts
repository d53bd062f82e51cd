/**
 * The channels a subscriber wants, and which of them the server has confirmed: what a subscription
 * or a subscriber connection keeps to subscribe again after a reconnect and to say what a drop lost.
 * A confirmed channel is always a wanted one.
 */
export class ChannelStates {
  readonly #wanted = new Set<string>()
  readonly #confirmed = new Set<string>()

  /** How many channels are wanted. */
  get size(): number {
    return this.#wanted.size
  }

  /** Every wanted channel. */
  list(): string[] {
    return [...this.#wanted]
  }

  wants(channel: string): boolean {
    return this.#wanted.has(channel)
  }

  isConfirmed(channel: string): boolean {
    return this.#confirmed.has(channel)
  }

  /** Whether every wanted channel is confirmed. */
  allConfirmed(): boolean {
    return this.#confirmed.size === this.#wanted.size
  }

  /** Of `channels`, the wanted ones. */
  wantedOf(channels: readonly string[]): string[] {
    return channels.filter((channel) => this.#wanted.has(channel))
  }

  /** Wants `channels`; returns the ones not wanted before. */
  add(channels: readonly string[]): string[] {
    const added = channels.filter((channel) => !this.#wanted.has(channel))
    for (const channel of added) this.#wanted.add(channel)
    return added
  }

  /** Stops wanting `channels` (their confirmation goes too); returns the ones that were wanted. */
  remove(channels: readonly string[]): string[] {
    const removed = channels.filter((channel) => this.#wanted.delete(channel))
    for (const channel of removed) this.#confirmed.delete(channel)
    return removed
  }

  /** Confirms the wanted ones of `channels`; returns those that were not confirmed before. */
  confirm(channels: readonly string[]): string[] {
    const fresh = channels.filter((channel) => this.#wanted.has(channel) && !this.#confirmed.has(channel))
    for (const channel of fresh) this.#confirmed.add(channel)
    return fresh
  }

  /** Forgets the confirmation of `channels` (their subscription was lost); returns those that had one. */
  unconfirm(channels: readonly string[]): string[] {
    return channels.filter((channel) => this.#confirmed.delete(channel))
  }

  /** Forgets every confirmation (the connection dropped); returns the channels that had one. */
  unconfirmAll(): string[] {
    const lost = [...this.#confirmed]
    this.#confirmed.clear()
    return lost
  }

  clear(): void {
    this.#wanted.clear()
    this.#confirmed.clear()
  }
}
