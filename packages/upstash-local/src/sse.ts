import type { ServerResponse } from 'node:http'
import type { RedisPool } from './pool.js'

/**
 * Server-sent events for `/subscribe/<channel>` and `/psubscribe/<pattern>`, in Upstash's line
 * format (payloads are raw text, never base64):
 *   data: subscribe,<channel>,<count>      data: message,<channel>,<payload>
 *   data: psubscribe,<pattern>,<count>     data: pmessage,<pattern>,<channel>,<payload>
 * Each stream has its own Redis connection, closed when the client goes away or the server closes.
 * When that connection drops, the stream ends: messages published meanwhile are lost, and only a
 * client that sees the stream end knows to catch up (a silent resubscription would hide the gap).
 */
export type SubscriptionKind = 'subscribe' | 'psubscribe'

export class Subscriptions {
  private readonly open = new Set<ServerResponse>()

  constructor(private readonly pool: RedisPool) {}

  get size(): number {
    return this.open.size
  }

  /** Resolves once the stream has ended. Throws (before any byte is written) when Redis is unreachable. */
  async serve(res: ServerResponse, kind: SubscriptionKind, target: string): Promise<void> {
    const connection = await this.pool.dedicated()
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
    this.open.add(res)
    connection.once('close', () => {
      if (!res.writableEnded) res.end()
    })
    const ended = new Promise<void>((resolve) => {
      res.once('close', () => {
        this.open.delete(res)
        this.pool.release(connection)
        resolve()
      })
    })
    try {
      const count: unknown = kind === 'subscribe' ? await connection.subscribe(target) : await connection.psubscribe(target)
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
