// One queue worker process of the queue chaos run. Spawned by workers.ts with an IPC channel; runs
// the built @rediware/queue (tsconfig.app.json) over the backend in its environment and reports each
// handler start, each completion and each lost lease. Exits when the runner goes away.
import { createClient } from '@rediware/redis'
import { createQueue } from '@rediware/queue'
import type { WorkerMessage } from './messages.js'

const send = (message: WorkerMessage) => process.send?.(message)
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error))

process.on('unhandledRejection', (reason) =>
  send({ type: 'problem', detail: `unhandledRejection: ${describe(reason)}` }),
)
process.on('uncaughtException', (error) => {
  send({ type: 'problem', detail: `uncaughtException: ${describe(error)}` })
  setImmediate(() => process.exit(70))
})
process.on('disconnect', () => process.exit(0))

const timeout = Number(process.env.CHAOS_REDIS_TIMEOUT ?? 0)
const jobMs = Number(process.env.CHAOS_JOB_MS ?? 50)
const queue = createQueue<{ n: number }>({
  redis: createClient(process.env, timeout > 0 ? { timeout } : {}),
  name: process.env.CHAOS_QUEUE ?? 'chaos',
  prefix: process.env.CHAOS_PREFIX ?? 'chaos:',
  shards: Number(process.env.CHAOS_SHARDS ?? 1),
  // Every completed job stays on record, so the runner can check each one.
  keep: { completed: { count: Number(process.env.CHAOS_KEEP ?? 1000), age: '1 d' } },
  warn: () => undefined,
  onError: () => undefined,
  onEvent: (event) => {
    if (event.type === 'completed') send({ type: 'completed', id: event.id })
    if (event.type === 'lease-lost') send({ type: 'lost', id: event.id })
  },
})
queue.process(
  async (job) => {
    send({ type: 'start', id: job.id, attempt: job.attempt })
    await new Promise((resolve) => setTimeout(resolve, jobMs + (job.data.n % 5)))
    return job.data.n
  },
  {
    concurrency: Number(process.env.CHAOS_CONCURRENCY ?? 4),
    lease: Number(process.env.CHAOS_LEASE ?? 3000),
    pollInterval: 500,
  },
)
send({ type: 'ready' })
