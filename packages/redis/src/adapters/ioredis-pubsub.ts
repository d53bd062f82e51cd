import { RedisClientError } from '../errors.js'
import { type PubSubWire, reconnectDelay, type WireEvents } from '../pubsub/wire.js'
import type { IoredisLike, SubscriberConnectionLike } from './ioredis-like.js'
import { ChannelStates } from '../pubsub/channel-states.js'
import { keySlot } from './slots.js'

/**
 * Options of every subscriber connection we duplicate: it connects when first needed, never queues
 * or resends a command while down (we resubscribe ourselves on `ready`, so we know when it took),
 * reconnects forever with our backoff whatever the user's `retryStrategy`, and puts no key prefix on
 * channels (we add it ourselves, for SUBSCRIBE and SSUBSCRIBE alike).
 */
export const subscriberOverrides: Record<string, unknown> = {
  lazyConnect: true,
  autoResubscribe: false,
  autoResendUnfulfilledCommands: false,
  enableOfflineQueue: false,
  keyPrefix: '',
  maxRetriesPerRequest: null,
  retryStrategy: reconnectDelay,
}

/** SUBSCRIBE takes any channels at once; keep commands to a sensible size. */
const MAX_CHANNELS_PER_COMMAND = 500

export interface ConnectionHooks {
  readonly events: WireEvents
  /** The server refused to subscribe these channels (MOVED on Cluster): they need another home. */
  refused(channels: readonly string[], error: Error): void
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * One subscriber connection: keeps its channels subscribed across reconnects and reports each
 * (re)subscription. `sharded` uses SSUBSCRIBE (one command per slot, as Redis requires).
 */
export class ConnectionSubscriber {
  readonly #connection: SubscriberConnectionLike
  readonly #sharded: boolean
  readonly #prefix: string
  readonly #hooks: ConnectionHooks
  readonly #channels = new ChannelStates()
  #lastError: Error | undefined
  #closed = false

  constructor(connection: SubscriberConnectionLike, sharded: boolean, prefix: string, hooks: ConnectionHooks) {
    if (sharded && typeof connection.ssubscribe !== 'function') {
      throw new RedisClientError(
        'ERR_REDIS_UNAVAILABLE',
        'Sharded pub/sub on Cluster needs ioredis 5.3 or newer (ssubscribe).',
      )
    }
    this.#connection = connection
    this.#sharded = sharded
    this.#prefix = prefix
    this.#hooks = hooks
    connection.on('ready', () => this.#send(this.#channels.list()))
    connection.on('close', () => this.#dropped())
    connection.on('error', (error: Error) => {
      this.#lastError = error
    })
    connection.on(sharded ? 'smessage' : 'message', (wireChannel: string, message: string) => {
      const channel = wireChannel.startsWith(this.#prefix) ? wireChannel.slice(this.#prefix.length) : wireChannel
      if (this.#channels.wants(channel)) hooks.events.message(channel, message)
    })
  }

  get size(): number {
    return this.#channels.size
  }

  /** Every channel of this connection is subscribed now. */
  get settled(): boolean {
    return this.#channels.allConfirmed()
  }

  add(channels: readonly string[]): void {
    const added = this.#channels.add(channels)
    if (added.length === 0) return
    if (this.#connection.status === 'wait') this.#connection.connect().catch(() => undefined)
    else if (this.#connection.status === 'ready') this.#send(added)
  }

  remove(channels: readonly string[]): void {
    const removed = this.#channels.remove(channels)
    if (removed.length === 0 || this.#connection.status !== 'ready') return
    for (const group of this.#groups(removed)) {
      const wire = group.map((channel) => this.#prefix + channel)
      const unsubscribe = this.#sharded
        ? this.#connection.sunsubscribe?.(...wire)
        : this.#connection.unsubscribe(...wire)
      unsubscribe?.catch(() => undefined)
    }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#channels.clear()
    this.#connection.removeAllListeners()
    // A socket error after disconnect() must not become an unhandled 'error' event.
    this.#connection.on('error', () => undefined)
    this.#connection.disconnect()
  }

  /** Channels grouped as one (S)SUBSCRIBE each: by slot when sharded, in chunks otherwise. */
  #groups(channels: readonly string[]): string[][] {
    const groups = new Map<number | string, string[]>()
    channels.forEach((channel, index) => {
      const group = this.#sharded
        ? keySlot(this.#prefix + channel)
        : `chunk${Math.floor(index / MAX_CHANNELS_PER_COMMAND)}`
      const list = groups.get(group) ?? []
      list.push(channel)
      groups.set(group, list)
    })
    return [...groups.values()]
  }

  #send(channels: readonly string[]): void {
    if (this.#closed || channels.length === 0) return
    for (const group of this.#groups(channels)) {
      const wire = group.map((channel) => this.#prefix + channel)
      const request = this.#sharded ? this.#connection.ssubscribe?.(...wire) : this.#connection.subscribe(...wire)
      request?.then(
        () => {
          if (this.#closed || this.#connection.status !== 'ready') return
          const still = this.#channels.wantedOf(group)
          this.#channels.confirm(still)
          if (still.length > 0) this.#hooks.events.subscribed(still)
        },
        (error: unknown) => {
          // A dropped connection rejects pending commands; 'ready' resubscribes. A reply error (MOVED) is a refusal.
          if (!this.#closed && asError(error).name === 'ReplyError') this.#hooks.refused(group, asError(error))
        },
      )
    }
  }

  #dropped(): void {
    if (this.#closed) return
    const lost = this.#channels.unconfirmAll()
    if (lost.length > 0) {
      this.#hooks.events.lost(
        lost,
        this.#lastError ?? new RedisClientError('ERR_REDIS_UNAVAILABLE', 'The subscriber connection closed.'),
      )
    }
  }
}

/** The subscriber of a standalone ioredis connection: one duplicate connection, SUBSCRIBE. */
export function openIoredisWire(redis: IoredisLike, events: WireEvents): PubSubWire {
  if (typeof redis.duplicate !== 'function') {
    throw new RedisClientError('ERR_REDIS_UNAVAILABLE', 'This ioredis connection cannot be duplicated for pub/sub.')
  }
  const subscriber = new ConnectionSubscriber(
    redis.duplicate(subscriberOverrides),
    false,
    redis.options.keyPrefix ?? '',
    {
      events,
      refused: (channels, error) => events.lost(channels, error),
    },
  )
  return {
    subscribe: (channels) => subscriber.add(channels),
    unsubscribe: (channels) => subscriber.remove(channels),
    close: async () => subscriber.close(),
  }
}
