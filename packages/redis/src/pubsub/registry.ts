import type { MessageListener, SubscribeOptions } from '../types.js'
import { ChannelSubscription, type SubscriptionHost } from './subscription.js'
import type { OpenWire, PubSubWire, WireEvents } from './wire.js'

/**
 * The subscriptions sharing one subscriber connection: channel → subscriptions. A channel is
 * subscribed on the wire once, whatever the number of subscriptions to it, and unsubscribed when
 * the last one leaves. The wire is opened by the first subscription and closed with the last.
 */
export class SubscriberRegistry implements SubscriptionHost {
  readonly #open: OpenWire
  #wire: PubSubWire | undefined
  readonly #byChannel = new Map<string, Set<ChannelSubscription>>()
  /** Channels the wire has confirmed and not lost since. */
  readonly #subscribed = new Set<string>()
  readonly #members = new Set<ChannelSubscription>()

  constructor(open: OpenWire) {
    this.#open = open
  }

  subscribe(
    channels: string | readonly string[],
    listener: MessageListener,
    options: SubscribeOptions,
    onClose?: () => void,
  ): ChannelSubscription {
    const subscription = new ChannelSubscription(this, listener, options, onClose)
    this.#members.add(subscription)
    try {
      subscription.add(channels)
    } catch (error) {
      this.leave(subscription)
      throw error
    }
    return subscription
  }

  /** Open subscriptions (for tests and introspection). */
  get size(): number {
    return this.#members.size
  }

  add(subscription: ChannelSubscription, channels: readonly string[]): void {
    const fresh: string[] = []
    const already: string[] = []
    for (const channel of channels) {
      let members = this.#byChannel.get(channel)
      if (!members) {
        members = new Set()
        this.#byChannel.set(channel, members)
      }
      if (members.size === 0) fresh.push(channel)
      else if (this.#subscribed.has(channel)) already.push(channel)
      members.add(subscription)
    }
    if (fresh.length > 0) this.#ensureWire().subscribe(fresh)
    if (already.length > 0)
      queueMicrotask(() => subscription.confirm(already.filter((channel) => this.#subscribed.has(channel))))
  }

  remove(subscription: ChannelSubscription, channels: readonly string[]): void {
    const gone: string[] = []
    for (const channel of channels) {
      const members = this.#byChannel.get(channel)
      if (!members?.delete(subscription) || members.size > 0) continue
      this.#byChannel.delete(channel)
      this.#subscribed.delete(channel)
      gone.push(channel)
    }
    if (gone.length > 0) this.#wire?.unsubscribe(gone)
  }

  leave(subscription: ChannelSubscription): void {
    this.remove(subscription, subscription.channels)
    this.#members.delete(subscription)
    if (this.#members.size === 0 && this.#wire) {
      const wire = this.#wire
      this.#wire = undefined
      this.#subscribed.clear()
      void wire.close()
    }
  }

  #ensureWire(): PubSubWire {
    this.#wire ??= this.#open(this.#events)
    return this.#wire
  }

  readonly #events: WireEvents = {
    message: (channel, message) => {
      const members = this.#byChannel.get(channel)
      if (!members) return
      for (const subscription of members) subscription.deliver(message, channel)
    },
    subscribed: (channels) => {
      const perSubscription = new Map<ChannelSubscription, string[]>()
      for (const channel of channels) {
        const members = this.#byChannel.get(channel)
        if (!members) continue
        this.#subscribed.add(channel)
        for (const subscription of members) {
          const list = perSubscription.get(subscription) ?? []
          list.push(channel)
          perSubscription.set(subscription, list)
        }
      }
      for (const [subscription, list] of perSubscription) subscription.confirm(list)
    },
    lost: (channels, error) => {
      for (const channel of channels) this.#subscribed.delete(channel)
      const affected = channels.length === 0 ? [...this.#members] : this.#membersOf(channels)
      for (const subscription of affected) subscription.lose(channels, error)
    },
  }

  #membersOf(channels: readonly string[]): Set<ChannelSubscription> {
    const found = new Set<ChannelSubscription>()
    for (const channel of channels)
      for (const subscription of this.#byChannel.get(channel) ?? []) found.add(subscription)
    return found
  }
}

const shared = new WeakMap<object, SubscriberRegistry>()

/**
 * The registry of one connection identity (the raw ioredis connection, the memory keyspace, the
 * @upstash/redis client): every `RedisClient` wrapping the same connection shares one subscriber.
 */
export function registryFor(identity: object, open: OpenWire): SubscriberRegistry {
  let registry = shared.get(identity)
  if (!registry) {
    registry = new SubscriberRegistry(open)
    shared.set(identity, registry)
  }
  return registry
}
