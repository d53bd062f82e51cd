import { RedisClientError } from '../errors.js'
import { type PubSubWire, reconnectDelay, type WireEvents } from '../pubsub/wire.js'

/** Where the REST endpoint is and how to authenticate (read from the @upstash/redis client). */
export interface UpstashEndpoint {
  baseUrl: string
  authorization: string
}

/**
 * @upstash/redis keeps its URL and token on its HTTP client (`redis.client.baseUrl`, `.headers`), not
 * in its public API; its own `subscribe()` cannot tell when a stream ends, so we open the streams
 * ourselves. Undefined when this client does not look like that.
 */
export function upstashEndpoint(redis: object): UpstashEndpoint | undefined {
  const client = (redis as { client?: { baseUrl?: unknown; headers?: Record<string, unknown> } }).client
  const authorization = client?.headers?.authorization
  if (typeof client?.baseUrl !== 'string' || typeof authorization !== 'string') return undefined
  return { baseUrl: client.baseUrl.replace(/\/$/, ''), authorization }
}

interface Stream {
  controller: AbortController
  attempt: number
  timer: NodeJS.Timeout | undefined
  subscribed: boolean
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * Upstash's SUBSCRIBE over REST: one Server-Sent-Events stream per channel (`POST /subscribe/<channel>`,
 * the protocol's unit), lines `data: subscribe,<channel>,<n>` then `data: message,<channel>,<payload>`.
 * A stream that ends or fails is reopened with backoff, and reported subscribed again.
 */
export class UpstashWire implements PubSubWire {
  readonly #endpoint: UpstashEndpoint
  readonly #events: WireEvents
  readonly #streams = new Map<string, Stream>()
  #closed = false

  constructor(endpoint: UpstashEndpoint, events: WireEvents) {
    this.#endpoint = endpoint
    this.#events = events
  }

  subscribe(channels: readonly string[]): void {
    for (const channel of channels) {
      if (this.#streams.has(channel)) continue
      const stream: Stream = { controller: new AbortController(), attempt: 0, timer: undefined, subscribed: false }
      this.#streams.set(channel, stream)
      this.#open(channel, stream)
    }
  }

  unsubscribe(channels: readonly string[]): void {
    for (const channel of channels) {
      const stream = this.#streams.get(channel)
      if (!stream) continue
      this.#streams.delete(channel)
      clearTimeout(stream.timer)
      stream.controller.abort()
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.unsubscribe([...this.#streams.keys()])
  }

  #open(channel: string, stream: Stream): void {
    this.#read(channel, stream).then(
      () =>
        this.#ended(
          channel,
          stream,
          new RedisClientError('ERR_REDIS_UNAVAILABLE', 'The Upstash subscribe stream ended.'),
        ),
      (error: unknown) => this.#ended(channel, stream, asError(error)),
    )
  }

  async #read(channel: string, stream: Stream): Promise<void> {
    const response = await fetch(`${this.#endpoint.baseUrl}/subscribe/${channel}`, {
      method: 'POST',
      headers: {
        authorization: this.#endpoint.authorization,
        accept: 'text/event-stream',
        'cache-control': 'no-cache',
        'content-type': 'application/json',
      },
      body: '[]',
      signal: stream.controller.signal,
    })
    if (!response.ok || !response.body) {
      const detail = await response.text().catch(() => '')
      throw new RedisClientError(
        'ERR_REDIS_UNAVAILABLE',
        `Upstash refused to subscribe (${response.status}): ${detail.slice(0, 200)}`,
      )
    }
    const decoder = new TextDecoder()
    let buffered = ''
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true })
      let newline = buffered.indexOf('\n')
      while (newline !== -1) {
        this.#line(channel, stream, buffered.slice(0, newline).replace(/\r$/, ''))
        buffered = buffered.slice(newline + 1)
        newline = buffered.indexOf('\n')
      }
    }
  }

  #line(channel: string, stream: Stream, line: string): void {
    if (!line.startsWith('data: ') || this.#streams.get(channel) !== stream) return
    const data = line.slice(6)
    const messagePrefix = `message,${channel},`
    if (data.startsWith(messagePrefix)) this.#events.message(channel, data.slice(messagePrefix.length))
    else if (data.startsWith(`subscribe,${channel},`)) {
      stream.subscribed = true
      stream.attempt = 0
      this.#events.subscribed([channel])
    }
  }

  #ended(channel: string, stream: Stream, error: Error): void {
    if (this.#closed || this.#streams.get(channel) !== stream) return
    // Reported once per failure streak: when a subscribed stream ends, or when the first attempt fails.
    if (stream.subscribed || stream.attempt === 0) this.#events.lost([channel], error)
    stream.subscribed = false
    stream.attempt += 1
    stream.controller = new AbortController()
    stream.timer = setTimeout(() => {
      stream.timer = undefined
      if (this.#streams.get(channel) === stream) this.#open(channel, stream)
    }, reconnectDelay(stream.attempt))
    stream.timer.unref()
  }
}
