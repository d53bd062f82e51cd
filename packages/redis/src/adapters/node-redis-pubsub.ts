import { RedisClientError } from '../errors.js'
import type { PubSubWire, WireEvents } from '../pubsub/wire.js'
import { isNodeRedisCluster, type NodeRedisLike, type NodeRedisListener } from './node-redis-like.js'
import { ChannelStates } from '../pubsub/channel-states.js'
import { keySlot } from './slots.js'

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/** SSUBSCRIBE takes channels of one slot per command; SUBSCRIBE takes any. */
function groups(channels: readonly string[], prefix: string, sharded: boolean): string[][] {
  if (!sharded) return [[...channels]]
  const bySlot = new Map<number, string[]>()
  for (const channel of channels) {
    const slot = keySlot(prefix + channel)
    const list = bySlot.get(slot) ?? []
    list.push(channel)
    bySlot.set(slot, list)
  }
  return [...bySlot.values()]
}

/**
 * The subscriber side of a node-redis client or cluster: one duplicate connection (a duplicate
 * cluster on Cluster, which keeps one sharded subscriber per master itself), SUBSCRIBE or SSUBSCRIBE.
 * node-redis resubscribes by itself after a reconnect, before it reports `ready`; channels are
 * reported lost when the connection drops and subscribed again on `ready`.
 */
class NodeRedisWire implements PubSubWire {
  readonly #subscriber: NodeRedisLike
  readonly #prefix: string
  readonly #events: WireEvents
  readonly #channels = new ChannelStates()
  readonly #connecting: Promise<unknown>
  #lastError: Error | undefined
  /** A cluster reports no readiness of its own: it can subscribe once `connect()` resolved. */
  #connected = false
  #closed = false

  constructor(client: NodeRedisLike, prefix: string, events: WireEvents) {
    this.#prefix = prefix
    this.#events = events
    const subscriber = client.duplicate()
    this.#subscriber = subscriber
    subscriber.on('error', (error: Error) => {
      this.#lastError = error
      this.#dropped()
    })
    subscriber.on('reconnecting', () => this.#dropped())
    subscriber.on('ready', () => this.#send(this.#channels.list()))
    // A cluster may report no `ready` of its own: channels wanted meanwhile are sent once it connects.
    this.#connecting = subscriber.connect().then(
      () => {
        this.#connected = true
        this.#send(this.#channels.list())
      },
      (error: unknown) => {
        if (!this.#closed) events.lost(this.#channels.list(), asError(error))
      },
    )
  }

  readonly #listener: NodeRedisListener = (message, wireChannel) => {
    const channel = wireChannel.startsWith(this.#prefix) ? wireChannel.slice(this.#prefix.length) : wireChannel
    if (this.#channels.wants(channel)) this.#events.message(channel, message)
  }

  subscribe(channels: readonly string[]): void {
    const added = this.#channels.add(channels)
    if (added.length > 0 && this.#writable()) this.#send(added)
  }

  unsubscribe(channels: readonly string[]): void {
    const removed = this.#channels.remove(channels)
    if (removed.length === 0 || !this.#writable()) return
    const subscriber = this.#subscriber
    for (const group of groups(removed, this.#prefix, isNodeRedisCluster(subscriber))) {
      const wire = group.map((channel) => this.#prefix + channel)
      const request = isNodeRedisCluster(subscriber)
        ? subscriber.sUnsubscribe(wire, this.#listener)
        : subscriber.unsubscribe(wire, this.#listener)
      request.catch(() => undefined)
    }
  }

  #writable(): boolean {
    return isNodeRedisCluster(this.#subscriber) ? this.#connected && this.#subscriber.isOpen : this.#subscriber.isReady
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#channels.clear()
    // Ends at once, without QUIT: never waits on an unreachable server.
    this.#subscriber.destroy()
    await this.#connecting
  }

  /**
   * (Re)subscribes channels. node-redis sends nothing for a channel it already holds (after a
   * reconnect it has resubscribed them itself), so this also confirms those.
   */
  #send(channels: readonly string[]): void {
    if (this.#closed || channels.length === 0) return
    for (const group of groups(channels, this.#prefix, isNodeRedisCluster(this.#subscriber))) this.#sendGroup(group)
  }

  #sendGroup(channels: readonly string[]): void {
    const wire = channels.map((channel) => this.#prefix + channel)
    const subscriber = this.#subscriber
    const request = isNodeRedisCluster(subscriber)
      ? subscriber.sSubscribe(wire, this.#listener)
      : subscriber.subscribe(wire, this.#listener)
    request.then(
      () => {
        if (this.#closed || !this.#writable()) return
        const fresh = this.#channels.confirm(channels)
        if (fresh.length > 0) this.#events.subscribed(fresh)
      },
      (error: unknown) => {
        // A dropped connection rejects pending commands; `ready` subscribes again.
        if (this.#closed) return
        const refused = this.#channels.wantedOf(channels)
        if (this.#writable() && refused.length > 0) this.#events.lost(refused, asError(error))
      },
    )
  }

  #dropped(): void {
    if (this.#closed || this.#writable()) return
    const lost = this.#channels.unconfirmAll()
    if (lost.length > 0) {
      this.#events.lost(
        lost,
        this.#lastError ?? new RedisClientError('ERR_REDIS_UNAVAILABLE', 'The subscriber connection closed.'),
      )
    }
  }
}

export function openNodeRedisWire(client: NodeRedisLike, prefix: string, events: WireEvents): PubSubWire {
  return new NodeRedisWire(client, prefix, events)
}
