import { httpCapabilities } from './capabilities.js'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { ClientOptions } from '../client-options.js'
import { adaptConnection } from '../client.js'
import type { Deadline } from '../deadline.js'
import { RedisClientError } from '../errors.js'
import { type Guard, ServerReplyError, type Transport } from '../transport.js'
import type { PubSubWire, WireEvents } from '../pubsub/wire.js'
import type { Command, RedisClient, Reply } from '../types.js'
import { type UpstashLike, type UpstashMiddleware, isUpstashLike } from './upstash-like.js'
import { upstashEndpoint, UpstashWire } from './upstash-pubsub.js'
import { toWire } from './upstash-wire.js'
import { scanNodes } from './scan-cursor.js'

export interface UpstashAdapterOptions extends ClientOptions {}

/** One outgoing pipeline request of ours, routed through the user's client by the middleware. */
interface PendingRequest {
  body: string[][]
  signal: AbortSignal
  sent: boolean
  response?: unknown
}

const pendingRequest = new AsyncLocalStorage<PendingRequest>()
const instrumented = new WeakSet<object>()

/**
 * Installed once per @upstash/redis instance through its public `use()`. Only requests made inside
 * our own `pendingRequest` context are rewritten: they go to `/pipeline` with our commands and our
 * abort signal (so the client's retries stop at our deadline), and the raw reply is kept before the
 * client's JSON deserialisation could change "123" into 123 or "null" into null.
 */
const middleware: UpstashMiddleware = async (request, next) => {
  const pending = pendingRequest.getStore()
  if (!pending || pending.sent) return next(request) as Promise<{ result?: unknown }>
  pending.sent = true
  pending.response = await next({ ...request, path: ['pipeline'], body: pending.body, signal: pending.signal })
  return { result: 'OK' }
}

function fromHex(reply: unknown): Reply {
  if (typeof reply === 'string') return Buffer.from(reply, 'hex')
  if (Array.isArray(reply)) return reply.map(fromHex)
  return toReply(reply)
}

function toReply(value: unknown): Reply {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number') return value
  if (Array.isArray(value)) return value.map(toReply)
  throw new RedisClientError('ERR_REDIS_REPLY', `Unexpected reply from Upstash: ${JSON.stringify(value)}`)
}

export class UpstashTransport implements Transport {
  readonly kind = 'upstash' as const
  readonly capabilities = httpCapabilities
  readonly lineMessages = true
  readonly connection: object
  readonly #redis: UpstashLike

  constructor(redis: UpstashLike) {
    this.#redis = redis
    this.connection = redis
    if (!instrumented.has(redis)) {
      redis.use(middleware)
      instrumented.add(redis)
    }
  }

  async #pipeline(list: readonly Command<unknown>[], deadline: Deadline): Promise<(Reply | ServerReplyError)[]> {
    const wires = list.map(toWire)
    const pending: PendingRequest = { body: wires.map((wire) => wire.body), signal: deadline.signal, sent: false }
    await pendingRequest.run(pending, () => this.#redis.exec(['PING']))
    if (!pending.sent || !Array.isArray(pending.response)) {
      throw new RedisClientError(
        'ERR_REDIS_REPLY',
        'The @upstash/redis client did not route the request through rediware.',
      )
    }
    const items = pending.response as unknown[]
    return wires.map((wire, index) => {
      const item = items[index] as { result?: unknown; error?: unknown } | undefined
      if (!item) throw new RedisClientError('ERR_REDIS_REPLY', 'Upstash returned fewer replies than commands.')
      if (typeof item.error === 'string') return new ServerReplyError(item.error)
      return wire.hexReplies ? fromHex(item.result) : toReply(item.result)
    })
  }

  async send(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    const [reply] = await this.#pipeline([command], deadline)
    if (reply instanceof ServerReplyError) throw reply
    return reply ?? null
  }

  sendBatch(list: readonly Command<unknown>[], deadline: Deadline): Promise<(Reply | ServerReplyError)[]> {
    return this.#pipeline(list, deadline)
  }

  async *scan(match: string, count: number, guard: Guard): AsyncIterable<string[]> {
    const scanPage = (_node: UpstashLike, cursor: string, deadline: Deadline) =>
      this.send(
        { name: 'SCAN', args: [cursor, 'MATCH', match, 'COUNT', count], keyIndexes: [], parse: toReply },
        deadline,
      )
    yield* scanNodes([this.#redis], scanPage, guard)
  }

  openWire(events: WireEvents): PubSubWire {
    const endpoint = upstashEndpoint(this.#redis)
    if (!endpoint) {
      throw new RedisClientError(
        'ERR_REDIS_UNAVAILABLE',
        'subscribe: this @upstash/redis client does not expose its REST URL and token (redis.client.baseUrl/headers); use @upstash/redis 1.34 or newer.',
      )
    }
    return new UpstashWire(endpoint, events)
  }

  async close(): Promise<void> {}
}

/**
 * Adapts an `@upstash/redis` client. Replies are read as raw strings whatever its
 * `automaticDeserialization` setting, so data is interchangeable with ioredis. Default deadline 1 s.
 */
export function fromUpstash(redis: unknown, options: UpstashAdapterOptions = {}): RedisClient {
  if (!isUpstashLike(redis)) {
    throw new TypeError('fromUpstash() expects an @upstash/redis Redis instance.')
  }
  return adaptConnection(new UpstashTransport(redis), options, 1000)
}
