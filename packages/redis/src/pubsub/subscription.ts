import { RedisClientError } from '../errors.js'
import { ChannelStates } from './channel-states.js'
import type { CallOptions, MessageListener, SubscribeOptions, Subscription } from '../types.js'

/** What a subscription asks of the registry that shares one subscriber connection. */
export interface SubscriptionHost {
  add(subscription: ChannelSubscription, channels: readonly string[]): void
  remove(subscription: ChannelSubscription, channels: readonly string[]): void
  leave(subscription: ChannelSubscription): void
}

interface Waiter {
  resolve(): void
  reject(error: Error): void
  timer: NodeJS.Timeout | undefined
}

function channelList(channels: string | readonly string[]): readonly string[] {
  const list = typeof channels === 'string' ? [channels] : channels
  if (!Array.isArray(list) || list.some((channel) => typeof channel !== 'string' || channel.length === 0)) {
    throw new TypeError('subscribe: channels must be a non-empty string or an array of non-empty strings.')
  }
  return list
}

/** Messages held per channel until its subscription is confirmed (beyond that, pub/sub's at-most-once). */
const MAX_EARLY_MESSAGES = 10_000

function safely(fn: () => void): void {
  try {
    fn()
  } catch {
    // A throwing hook must not break delivery to the other subscriptions.
  }
}

export class ChannelSubscription implements Subscription {
  readonly #host: SubscriptionHost
  readonly #listener: MessageListener
  readonly #options: SubscribeOptions
  readonly #channels = new ChannelStates()
  readonly #waiters = new Set<Waiter>()
  /**
   * Messages of channels whose (re)subscription is not confirmed to us yet: the confirmation and the
   * first messages can arrive in one read, and a client library may emit the messages first.
   */
  readonly #early = new Map<string, string[]>()
  readonly #onClose: (() => void) | undefined
  #closed = false

  constructor(host: SubscriptionHost, listener: MessageListener, options: SubscribeOptions, onClose?: () => void) {
    if (typeof listener !== 'function')
      throw new TypeError('subscribe: listener must be a function (message, channel) => void.')
    this.#host = host
    this.#listener = listener
    this.#options = options
    this.#onClose = onClose
  }

  get channels(): readonly string[] {
    return this.#channels.list()
  }

  get closed(): boolean {
    return this.#closed
  }

  add(channels: string | readonly string[]): void {
    if (this.#closed) throw new RedisClientError('ERR_REDIS_CLOSED', 'This subscription was closed.')
    const added = this.#channels.add(channelList(channels))
    if (added.length > 0) this.#host.add(this, added)
  }

  remove(channels: string | readonly string[]): void {
    if (this.#closed) return
    const removed = this.#channels.remove(channelList(channels))
    for (const channel of removed) this.#early.delete(channel)
    if (removed.length > 0) this.#host.remove(this, removed)
    this.#settleWaiters()
  }

  ready(options: CallOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new RedisClientError('ERR_REDIS_CLOSED', 'This subscription was closed.'))
    if (this.#isReady()) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined }
      if (options.timeout !== undefined) {
        const timeout = options.timeout
        waiter.timer = setTimeout(() => {
          this.#waiters.delete(waiter)
          reject(new RedisClientError('ERR_REDIS_TIMEOUT', `The channels were not subscribed within ${timeout} ms.`))
        }, timeout)
        waiter.timer.unref()
      }
      this.#waiters.add(waiter)
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#host.leave(this)
    this.#onClose?.()
    this.#channels.clear()
    this.#early.clear()
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(new RedisClientError('ERR_REDIS_CLOSED', 'This subscription was closed before it was ready.'))
    }
    this.#waiters.clear()
  }

  /** The registry's report: these channels of ours are subscribed (again). */
  confirm(channels: readonly string[]): void {
    if (this.#closed) return
    const mine = this.#channels.wantedOf(channels)
    if (mine.length === 0) return
    this.#channels.confirm(mine)
    const onSubscribe = this.#options.onSubscribe
    if (onSubscribe) safely(() => onSubscribe(mine))
    for (const channel of mine) {
      const early = this.#early.get(channel)
      this.#early.delete(channel)
      for (const message of early ?? []) this.deliver(message, channel)
    }
    this.#settleWaiters()
  }

  /** The registry's report: these channels of ours lost their subscription. */
  lose(channels: readonly string[], error: Error): void {
    if (this.#closed) return
    this.#channels.unconfirm(channels)
    for (const channel of channels) this.#early.delete(channel)
    const onError = this.#options.onError
    if (onError) safely(() => onError(error))
  }

  deliver(message: string, channel: string): void {
    if (this.#closed || !this.#channels.wants(channel)) return
    if (!this.#channels.isConfirmed(channel)) {
      const early = this.#early.get(channel) ?? []
      if (early.length < MAX_EARLY_MESSAGES) early.push(message)
      this.#early.set(channel, early)
      return
    }
    try {
      this.#listener(message, channel)
    } catch (error) {
      const onError = this.#options.onError
      if (onError) safely(() => onError(error instanceof Error ? error : new Error(String(error))))
    }
  }

  #isReady(): boolean {
    return this.#channels.allConfirmed()
  }

  #settleWaiters(): void {
    if (this.#waiters.size === 0 || !this.#isReady()) return
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer)
      waiter.resolve()
    }
    this.#waiters.clear()
  }
}
