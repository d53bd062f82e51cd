// `pnpm --filter @rediware/example-express-app worker`: the order-confirmation worker in its own
// process, on the backend the environment names (REDIS_URL, REDIS_CLUSTER_NODES or Upstash). On the
// in-process backend it cannot see the app's jobs: run the app with ORDER_WORKER unset instead.
import { createClient } from '@rediware/redis'
import { loadConfig } from './config.js'
import { liveHub } from './live.js'
import { ordersQueue, startOrderWorker } from './orders.js'

const config = loadConfig(process.env)
const redis = createClient(process.env)
const realtime = liveHub(redis, config.keyPrefix, console.warn)
const worker = startOrderWorker(ordersQueue(redis, config.keyPrefix, console.warn, realtime), realtime)
console.log(
  `[example worker] order confirmations on ${redis.kind}; SIGTERM finishes running jobs (10 s at most) and exits`,
)

let closing = false
async function shutdown(): Promise<void> {
  if (closing) return
  closing = true
  await worker.close({ timeout: '10 s' })
  await realtime.close()
  await redis.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
