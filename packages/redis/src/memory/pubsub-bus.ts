/** Receives the messages of the channels it is subscribed to on a `PubSubBus`. */
export type BusReceiver = (channel: string, message: string) => void

/**
 * The memory backend's pub/sub: channel → receivers. `publish` returns the number of receivers (as
 * PUBLISH does) and delivers on a later microtask, after the command (or script) that published,
 * in publish order, as a Redis server does.
 */
export class PubSubBus {
  readonly #channels = new Map<string, Set<BusReceiver>>()

  subscribe(channel: string, receiver: BusReceiver): void {
    let receivers = this.#channels.get(channel)
    if (!receivers) {
      receivers = new Set()
      this.#channels.set(channel, receivers)
    }
    receivers.add(receiver)
  }

  unsubscribe(channel: string, receiver: BusReceiver): void {
    const receivers = this.#channels.get(channel)
    if (!receivers) return
    receivers.delete(receiver)
    if (receivers.size === 0) this.#channels.delete(channel)
  }

  publish(channel: string, message: string): number {
    const receivers = this.#channels.get(channel)
    if (!receivers) return 0
    const targets = [...receivers]
    queueMicrotask(() => {
      for (const receiver of targets) receiver(channel, message)
    })
    return targets.length
  }
}
