// A worker in its own process, for the tests that kill one (SIGKILL). Run by spawn-worker.ts with
// tsx from the sources. Reports over IPC: ready, start <id> <attempt>, completed <id>, lost <id>.
import { toClient } from '@rediware/redis'
import { createQueue } from '@rediware/queue'
import { Redis as UpstashRedis } from '@upstash/redis'
import { Cluster, Redis } from 'ioredis'

export interface ChildConfig {
  backend: 'ioredis' | 'cluster' | 'upstash'
  /** redis URL, comma-separated cluster nodes, or the upstash URL. */
  address: string
  token?: string
  name: string
  prefix: string
  /** 'hang': the handler never finishes; 'work': it takes `data.ms` (default 1) and returns. */
  mode: 'hang' | 'work'
  concurrency: number
  lease: number
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig
const send = (message: unknown) => process.send?.(message)

function rawClient(): object {
  if (config.backend === 'ioredis') return new Redis(config.address, { maxRetriesPerRequest: 1 })
  if (config.backend === 'cluster') {
    const nodes = config.address
      .split(',')
      .map((node) => ({ host: node.split(':')[0] ?? '', port: Number(node.split(':')[1]) }))
    return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } })
  }
  return new UpstashRedis({ url: config.address, token: config.token ?? '', enableTelemetry: false })
}

const queue = createQueue<{ ms?: number }>({
  redis: toClient(rawClient(), { timeout: 2000 }),
  name: config.name,
  prefix: config.prefix,
  onError: () => undefined,
  onEvent: (event) => {
    if (event.type === 'completed') send({ type: 'completed', id: event.id })
    if (event.type === 'lease-lost') send({ type: 'lost', id: event.id })
  },
})
queue.process(
  async (job) => {
    send({ type: 'start', id: job.id, attempt: job.attempt })
    if (config.mode === 'hang') await new Promise(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, job.data?.ms ?? 1))
    return 'ok'
  },
  { concurrency: config.concurrency, lease: config.lease, pollInterval: 200 },
)
process.on('disconnect', () => process.exit(0))
send({ type: 'ready' })
