import { fileURLToPath } from 'node:url'
import { createClient } from '@rediware/redis'
import { createApp } from './app.js'
import { loadConfig } from './config.js'
import { openDatabase } from './db/open-database.js'
import { liveHub } from './live.js'
import { createMetrics } from './metrics.js'
import { ordersQueue, startOrderWorker } from './orders.js'

const port = Number(process.env.PORT ?? 3000)
const config = loadConfig(process.env)
const redis = createClient(process.env)
const db = await openDatabase(process.env)
const metrics = createMetrics()
// Live events (product changes, order progress, the queue dashboard) shared by every app process on this Redis.
const realtime = liveHub(redis, config.keyPrefix, console.warn, metrics.realtime)
const orders = ordersQueue(redis, config.keyPrefix, console.warn, realtime, metrics.queue)
// The order-confirmation worker runs here unless ORDER_WORKER=off (then run `pnpm worker` on its own).
const worker = process.env.ORDER_WORKER === 'off' ? undefined : startOrderWorker(orders, realtime)
const app = createApp({
  redis,
  db,
  config,
  orders,
  realtime,
  metrics,
  publicDir: fileURLToPath(new URL('../public', import.meta.url)),
})

function describeBackend(): string {
  switch (redis.kind) {
    case 'memory':
      return 'in-process memory (set REDIS_URL or UPSTASH_REDIS_REST_URL/UPSTASH_REDIS_REST_TOKEN to share state)'
    case 'ioredis':
      return 'Redis via ioredis (REDIS_URL)'
    case 'cluster':
      return 'Redis Cluster via ioredis (REDIS_CLUSTER_NODES)'
    case 'upstash':
      return 'Upstash over HTTP (UPSTASH_REDIS_REST_URL)'
    default:
      return String(redis.kind)
  }
}

const server = app.listen(port, () => {
  console.log(`[example] backend: ${describeBackend()}`)
  console.log(
    `[example] database: ${db.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite, in memory (set DATABASE_URL for PostgreSQL)'}`,
  )
  if (config.session.generatedSecret)
    console.log('[example] SESSION_SECRET unset: using a random one, so sessions end when the app restarts')
  console.log(
    `[example] metrics: GET /metrics ${config.metricsToken === undefined ? 'is open to anyone who reaches the port (set METRICS_TOKEN to require a bearer token)' : 'needs Authorization: Bearer $METRICS_TOKEN'}`,
  )
  console.log(
    `[example] rediware example app on http://localhost:${port}  (demo login: alice@example.com / rediware-demo)`,
  )
})

let closing = false
function shutdown(): void {
  if (closing) return
  closing = true
  // Open streams end with a retry hint first: browsers reconnect to another process and resume.
  const streamsClosed = realtime.close()
  server.close(() => {
    // Running order confirmations finish (or are given back after 10 s) before Redis closes.
    void (worker?.close({ timeout: '10 s' }) ?? Promise.resolve())
      .finally(() => streamsClosed)
      .finally(() => Promise.allSettled([redis.close(), db.close()]))
      .finally(() => process.exit(0))
  })
  server.closeAllConnections()
}

process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
