import { randomUUID } from 'node:crypto'
import { createQueue, idempotency, type Job, type Queue, type QueueEvent, type Worker } from '@rediware/queue'
import type { RedisClient } from '@rediware/redis'
import type { Realtime } from '@rediware/realtime'
import type { Express, Request, RequestHandler } from 'express'
import type { Database } from './db/database.js'
import { publishOrder } from './live.js'
import { orderBody } from './schemas.js'
import { inputOf, validate } from './validation.js'

/** What an order-confirmation job carries. */
export interface OrderConfirmation {
  orderId: string
  userId: string
  productId: number
  quantity: number
}

export type OrdersQueue = Queue<OrderConfirmation>

/** The demo user who may open /admin/queues. */
export const ADMIN_USER_ID = 'u-alice'

/** With `realtime`, the queue's job events feed the dashboard live (channel `queue:order-confirmation`). */
export function ordersQueue(
  redis: RedisClient,
  keyPrefix: string,
  warn: (message: string) => void,
  realtime?: Realtime,
  onEvent?: (event: QueueEvent) => void,
): OrdersQueue {
  return createQueue<OrderConfirmation>({
    ...(onEvent === undefined ? {} : { onEvent }),
    redis,
    name: 'order-confirmation',
    prefix: `${keyPrefix}queue:`,
    ...(realtime === undefined ? {} : { events: { realtime } }),
    warn,
    onError: (error) => warn(`[example] order queue: ${error.message}`),
  })
}

const jobId = (orderId: string) => `order-confirmation:${orderId}`

const steps = ['stock reserved', 'payment captured', 'e-mail sent'] as const

const pause = (job: Job<OrderConfirmation>, ms: number) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    job.signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(job.signal.reason)
    })
  })

/**
 * The job: "sends" the confirmation e-mail (simulated by short waits, one per step), telling the
 * user's page how far it got. A real mailer would get `job.id` as its idempotency key, so a retried
 * job never mails twice.
 */
function sendConfirmation(realtime: Realtime | undefined, warn: (message: string) => void) {
  return async (job: Job<OrderConfirmation>): Promise<{ sentAt: string; to: string }> => {
    const { orderId, userId } = job.data
    const base = { orderId, attempt: job.attempt }
    await publishOrder(realtime, userId, { ...base, state: 'active' }, warn)
    try {
      for (const [index, step] of steps.entries()) {
        await pause(job, 100)
        await job.progress({ step, done: index + 1, of: steps.length })
        await publishOrder(
          realtime,
          userId,
          { ...base, state: 'progress', step, done: index + 1, of: steps.length },
          warn,
        )
      }
    } catch (error) {
      await publishOrder(realtime, userId, { ...base, state: 'failed' }, warn)
      throw error
    }
    await publishOrder(realtime, userId, { ...base, state: 'completed' }, warn)
    return { sentAt: new Date().toISOString(), to: userId }
  }
}

/** A worker for the order confirmations: in the app process (server.ts) or on its own (worker.ts). */
export const startOrderWorker = (
  queue: OrdersQueue,
  realtime?: Realtime,
  warn: (message: string) => void = console.warn,
): Worker<OrderConfirmation> => queue.process(sendConfirmation(realtime, warn), { concurrency: 4 })

interface OrderRoutes {
  queue: OrdersQueue
  redis: RedisClient
  db: Database
  keyPrefix: string
  json: RequestHandler
  sessions: RequestHandler
  requireUser: RequestHandler
  warn: (message: string) => void
}

/**
 * POST /api/orders (Idempotency-Key: the same key replays the first answer, so a double-clicked or
 * retried order is placed once), GET /api/orders/:id (the confirmation job's state) and the queue
 * dashboard at /admin/queues for the demo user.
 */
export function mountOrders(
  app: Express,
  { queue, redis, db, keyPrefix, json, sessions, requireUser, warn }: OrderRoutes,
): void {
  const onePerKey = idempotency<Request>({
    redis,
    prefix: `${keyPrefix}idem:`,
    scope: (req) => req.session.userId,
    required: true,
    warn,
  })

  app.post('/api/orders', json, validate({ body: orderBody }), sessions, requireUser, onePerKey, async (req, res) => {
    const { productId, quantity = 1 } = inputOf(res.locals, orderBody)
    if ((await db.getProduct(productId)) === undefined) {
      res.status(404).json({ error: `no product ${productId}` })
      return
    }
    const orderId = randomUUID()
    const job = await queue.add(
      { orderId, userId: req.session.userId ?? '', productId, quantity },
      { id: jobId(orderId) },
    )
    res.status(202).json({ order: { id: orderId, productId, quantity }, job: { id: job.id, state: job.state } })
  })

  app.get('/api/orders/:id', sessions, requireUser, async (req, res) => {
    const id = String(req.params.id)
    const job = /^[0-9a-f-]{36}$/.test(id) ? await queue.getJob(jobId(id)) : null
    if (job === null || job.data.userId !== req.session.userId) {
      res.status(404).json({ error: 'no such order' })
      return
    }
    res.json({
      order: { id, productId: job.data.productId, quantity: job.data.quantity },
      job: { state: job.state, attempt: job.attempt, result: job.result, error: job.error },
    })
  })

  app.use(
    '/admin/queues',
    sessions,
    queue.router<Request>({ authorize: (req) => req.session.userId === ADMIN_USER_ID }),
  )
}
