import { RedisClientError } from '../errors.js'
import { type PubSubWire, reconnectDelay, type WireEvents } from '../pubsub/wire.js'
import { ConnectionSubscriber, subscriberOverrides } from './ioredis-pubsub.js'
import type { IoredisClusterLike, IoredisLike } from './ioredis-like.js'
import { ChannelStates } from '../pubsub/channel-states.js'
import { keySlot } from './slots.js'

const nodeKey = (node: IoredisLike): string => `${node.options.host}:${node.options.port}`

/**
 * Sharded pub/sub over an ioredis Cluster, without relying on ioredis' own sharded subscribers
 * (their behaviour changed across 5.x releases): each channel is SSUBSCRIBEd on a duplicate
 * connection to the master that owns its slot, one connection per master in use. When a
 * connection drops, the slot map is refreshed and channels move to their current owner (failover);
 * a MOVED reply or the cluster's own slot refresh moves them too.
 */
export class ClusterWire implements PubSubWire {
  readonly #cluster: IoredisClusterLike
  readonly #prefix: string
  readonly #events: WireEvents
  readonly #channels = new ChannelStates()
  /** channel → key of the master it is subscribed on */
  readonly #home = new Map<string, string>()
  readonly #nodes = new Map<string, ConnectionSubscriber>()
  #healTimer: NodeJS.Timeout | undefined
  #healAttempt = 0
  #closed = false

  constructor(cluster: IoredisClusterLike, events: WireEvents) {
    this.#cluster = cluster
    this.#prefix = cluster.options.keyPrefix ?? ''
    this.#events = {
      message: (channel, message) => events.message(channel, message),
      subscribed: (channels) => {
        this.#channels.confirm(channels)
        events.subscribed(channels)
      },
      lost: (channels, error) => {
        this.#channels.unconfirm(channels)
        events.lost(channels, error)
        this.#scheduleHeal()
      },
    }
    cluster.on?.('refresh', this.#replan)
    cluster.on?.('ready', this.#replan)
  }

  subscribe(channels: readonly string[]): void {
    this.#channels.add(channels)
    this.#place(channels)
  }

  unsubscribe(channels: readonly string[]): void {
    this.#channels.remove(channels)
    for (const channel of channels) {
      const home = this.#home.get(channel)
      this.#home.delete(channel)
      if (home !== undefined) this.#nodes.get(home)?.remove([channel])
    }
    this.#closeIdle()
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#healTimer)
    this.#cluster.off?.('refresh', this.#replan)
    this.#cluster.off?.('ready', this.#replan)
    for (const subscriber of this.#nodes.values()) subscriber.close()
    this.#nodes.clear()
  }

  readonly #replan = (): void => {
    if (this.#closed) return
    this.#place(this.#channels.list())
    this.#closeIdle()
  }

  /** Subscribes each channel on its slot's master, moving it there when it lives elsewhere. */
  #place(channels: readonly string[]): void {
    for (const channel of channels) {
      const owner = this.#cluster.slots?.[keySlot(this.#prefix + channel)]?.[0]
      const home = this.#home.get(channel)
      if (owner === undefined || owner === home) {
        if (owner === undefined) this.#scheduleHeal()
        continue
      }
      const subscriber = this.#subscriberFor(owner)
      if (!subscriber) {
        this.#scheduleHeal()
        continue
      }
      if (home !== undefined) {
        this.#nodes.get(home)?.remove([channel])
        if (this.#channels.unconfirm([channel]).length > 0) {
          this.#events.lost(
            [channel],
            new RedisClientError('ERR_REDIS_UNAVAILABLE', `The slot of ${channel} moved to ${owner}.`),
          )
        }
      }
      this.#home.set(channel, owner)
      subscriber.add([channel])
    }
  }

  #subscriberFor(key: string): ConnectionSubscriber | undefined {
    const existing = this.#nodes.get(key)
    if (existing) return existing
    const master = this.#cluster.nodes('master').find((node) => nodeKey(node) === key)
    if (!master || typeof master.duplicate !== 'function') return undefined
    const subscriber = new ConnectionSubscriber(master.duplicate(subscriberOverrides), true, this.#prefix, {
      events: this.#events,
      refused: (channels) => {
        for (const channel of channels) if (this.#home.get(channel) === key) this.#home.delete(channel)
        subscriber.remove(channels)
        this.#scheduleHeal()
      },
    })
    this.#nodes.set(key, subscriber)
    return subscriber
  }

  #closeIdle(): void {
    for (const [key, subscriber] of this.#nodes) {
      if (subscriber.size > 0) continue
      subscriber.close()
      this.#nodes.delete(key)
    }
  }

  /**
   * While some channel is not subscribed, refreshes the slot map and re-places channels, with
   * backoff: a connection that comes back resubscribes by itself; one whose node died is replaced.
   */
  #scheduleHeal(): void {
    if (this.#closed || this.#healTimer) return
    this.#healAttempt += 1
    this.#healTimer = setTimeout(() => {
      this.#healTimer = undefined
      if (this.#closed) return
      const settle = () => {
        this.#replan()
        if (this.#channels.allConfirmed()) this.#healAttempt = 0
        else this.#scheduleHeal()
      }
      if (typeof this.#cluster.refreshSlotsCache === 'function') this.#cluster.refreshSlotsCache(() => settle())
      else settle()
    }, reconnectDelay(this.#healAttempt))
    this.#healTimer.unref()
  }
}
