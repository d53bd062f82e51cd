import { createRealtime, type Realtime, type RealtimeActivity } from '@rediware/realtime'
import type { RedisClient } from '@rediware/redis'
import type { Express, Request, RequestHandler } from 'express'
import type { Product } from './db/database.js'

/** Every visitor's channel: product changes. */
export const PRODUCTS_CHANNEL = 'products'

/** A signed-in user's own channel: their orders' progress. Only that user may read it. */
export const userChannel = (userId: string): string => `user:${userId}`

/** The live-events hub of this process, on the app's Redis (every app process shares the channels). */
export function liveHub(
  redis: RedisClient,
  keyPrefix: string,
  warn: (message: string) => void,
  onEvent?: (event: RealtimeActivity) => void,
): Realtime {
  return createRealtime({
    redis,
    prefix: `${keyPrefix}rt:`,
    history: { maxLen: 1000, ttl: '1 h' },
    warn,
    onError: (error) => warn(`[example] live events: ${error.message}`),
    ...(onEvent === undefined ? {} : { onEvent }),
  })
}

/** The channels a request asks for (`?channels=a,b`), or by default products and, signed in, the user's own. */
function requestedChannels(req: Request): string[] {
  const asked =
    typeof req.query.channels === 'string' ? req.query.channels.split(',').filter((name) => name !== '') : []
  if (asked.length > 0) return asked.slice(0, 8)
  const userId = req.session.userId
  return userId === undefined ? [PRODUCTS_CHANNEL] : [PRODUCTS_CHANNEL, userChannel(userId)]
}

/** GET /api/events: the page's EventSource. A user channel other than the session's own answers 403. */
export function mountLive(
  app: Express,
  { realtime, sessions }: { realtime: Realtime; sessions: RequestHandler },
): void {
  app.get(
    '/api/events',
    sessions,
    realtime.sse({
      channels: requestedChannels,
      authorize: (req, channel) =>
        channel === PRODUCTS_CHANNEL ||
        (req.session.userId !== undefined && channel === userChannel(req.session.userId)),
    }),
  )
}

/**
 * Announces a product's new state to every page, after the database write. A failed publish is
 * reported and answered as `published: null`: the write stands, pages catch up on their next read.
 */
export async function publishProduct(
  realtime: Realtime,
  product: Product,
  warn: (message: string) => void,
): Promise<string | null> {
  try {
    return await realtime.publish(PRODUCTS_CHANNEL, {
      type: 'product',
      data: { id: product.id, priceCents: product.priceCents, stock: product.stock },
    })
  } catch (error) {
    warn(`[example] product ${product.id} changed but was not announced live: ${String(error)}`)
    return null
  }
}

/** What the user's channel carries about one order (`event: order`). */
export interface OrderUpdate {
  orderId: string
  state: 'active' | 'progress' | 'completed' | 'failed'
  attempt: number
  step?: string
  done?: number
  of?: number
}

/** Publishes an order update to its user's channel; a failure is reported, never fails the job. */
export async function publishOrder(
  realtime: Realtime | undefined,
  userId: string,
  update: OrderUpdate,
  warn: (message: string) => void,
): Promise<void> {
  if (realtime === undefined) return
  try {
    await realtime.publish(userChannel(userId), { type: 'order', data: update })
  } catch (error) {
    warn(`[example] order ${update.orderId} update not announced live: ${String(error)}`)
  }
}
