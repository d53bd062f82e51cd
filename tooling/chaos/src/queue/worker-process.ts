// One queue worker process of the queue chaos run. Spawned by workers.ts with an IPC channel; runs
// the built @rediware/queue (tsconfig.app.json) over the backend in its environment and reports each
// handler start, each completion and each lost lease. Exits when the runner goes away.
import { createQueue } from '@rediware/queue'
import { chaosRedisClient, reportFailuresToRunner } from '../child-runtime.js'
import type { WorkerMessage } from './messages.js'

const send = (message: WorkerMessage) => process.send?.(message)

reportFailuresToRunner((failure, detail) => send({ type: 'problem', detail: `${failure}: ${detail}` }))

const jobMs = Number(process.env.CHAOS_JOB_MS ?? 50)
const queue = createQueue<{ n: number }>({
  redis: chaosRedisClient(),
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
