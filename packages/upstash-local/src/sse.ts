import type { ServerResponse } from 'node:http'
import type { Redis } from 'ioredis'
import type { RedisPool } from './pool.js'

/**
 * Server-sent events for `/subscribe/<channel>` and `/psubscribe/<pattern>`, in Upstash's line
 * format (payloads are raw text, never base64):
 *   data: subscribe,<channel>,<count>      data: message,<channel>,<payload>
 *   data: psubscribe,<pattern>,<count>     data: pmessage,<pattern>,<channel>,<payload>
 * Each stream has its own Redis connection (a subscribed connection can run nothing else), closed
 * when the client goes away, even while it is still connecting, or when the server closes. At most
 * `maxStreams` streams are open at once, so clients cannot use up Redis's connections.
 * When that connection drops, the stream ends: messages published meanwhile are lost, and only a
 * client that sees the stream end knows to catch up (a silent resubscription would hide the gap).
 */
export type SubscriptionKind = 'subscribe' | 'psubscribe'

/** Thrown by `serve` before any byte is written when `maxStreams` streams are already open. */
export class TooManyStreamsError extends Error {
  constructor(limit: number) {
    super(`ERR upstash-local: too many open subscriptions (at most ${limit} at once; option maxSubscriptions)`)
    this.name = 'TooManyStreamsError'
  }
}

export class Subscriptions {
  private readonly open = new Set<ServerResponse>()

  constructor(
    private readonly pool: RedisPool,
    private readonly maxStreams: number,
  ) {}

  get size(): number {
    return this.open.size
  }

  /**
   * Resolves once the stream has ended. Throws (before any byte is written) when Redis is unreachable
   * or too many streams are open.
   */
  async serve(res: ServerResponse, kind: SubscriptionKind, target: string): Promise<void> {
    if (this.open.size >= this.maxStreams) throw new TooManyStreamsError(this.maxStreams)
    this.open.add(res)
    let connection: Redis | undefined
    let closed = false
    const ended = new Promise<void>((resolve) => {
      res.once('close', () => {
        closed = true
        this.open.delete(res)
        if (connection !== undefined) this.pool.release(connection)
        resolve()
      })
    })
    try {
      connection = await this.pool.dedicated()
    } catch (error) {
      this.open.delete(res)
      throw error
    }
    if (closed) {
      // The client left while the connection was being opened.
      this.pool.release(connection)
      return ended
    }
    const send = (fields: string[]): void => {
      if (!res.writableEnded) res.write(`data: ${fields.join(',')}\n\n`)
    }
    connection.on('message', (channel: string, message: string) => send(['message', channel, message]))
    connection.on('pmessage', (pattern: string, channel: string, message: string) =>
      send(['pmessage', pattern, channel, message]),
    )
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    res.flushHeaders()
    connection.once('close', () => {
      if (!res.writableEnded) res.end()
    })
    try {
      const count: unknown =
        kind === 'subscribe' ? await connection.subscribe(target) : await connection.psubscribe(target)
      send([kind, target, String(count)])
    } catch {
      res.end()
    }
    return ended
  }

  /** Ends every open stream. */
  closeAll(): void {
    for (const res of this.open) res.end()
  }
}
