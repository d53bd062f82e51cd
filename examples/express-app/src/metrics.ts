import type { CacheEvent } from '@rediware/cache'
import type { Counts, QueueEvent } from '@rediware/queue'
import type { RateLimitEvent } from '@rediware/rate-limit'
import type { RealtimeActivity, RealtimeStats } from '@rediware/realtime'
import type { SessionStoreEvent } from '@rediware/session'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The few numbers the page draws (GET /live-stats). */
export interface LiveStats {
  cache: { hit: number; miss: number; stale: number }
  rateLimit: { allowed: number; limited: number }
  realtime: { clients: number; dropped: number }
  sessionStoreOutages: number
}

/**
 * The app's Prometheus metrics, fed by the packages' `onEvent` hooks. One registry per app (not
 * prom-client's global one), so several apps in one process (tests) keep their own numbers.
 */
export interface AppMetrics {
  readonly registry: Registry
  readonly cache: (event: CacheEvent) => void
  /** The hook of one limiter; `limiter` names it in the labels. */
  rateLimit(limiter: string): (event: RateLimitEvent) => void
  readonly session: (event: SessionStoreEvent) => void
  readonly queue: (event: QueueEvent) => void
  readonly realtime: (event: RealtimeActivity) => void
  /** Reads the queue's depth at each scrape. */
  watchQueue(name: string, counts: () => Promise<Counts>): void
  /** Reads the open streams at each scrape. */
  watchRealtime(stats: () => RealtimeStats): void
  live(): Promise<LiveStats>
}

export function createMetrics(): AppMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const queues = new Map<string, () => Promise<Counts>>()
  const streams: Array<() => RealtimeStats> = []

  const cacheResponses = new Counter({
    name: 'rediware_cache_responses_total',
    help: 'Cached routes: responses by how the cache answered (hit, stale, miss, bypass).',
    labelNames: ['result'],
    registers,
  })
  const limitedRequests = new Counter({
    name: 'rediware_rate_limit_requests_total',
    help: 'Requests decided by each limiter: allowed, limited, or unavailable (store down, denied).',
    labelNames: ['limiter', 'result'],
    registers,
  })
  const violations = new Counter({
    name: 'rediware_rate_limit_policy_violations_total',
    help: 'Limited requests by the policy that refused them (one request may break several).',
    labelNames: ['limiter', 'policy'],
    registers,
  })
  const sessionOutages = new Counter({
    name: 'rediware_session_store_outages_total',
    help: 'Times the session store became unreachable (once per outage).',
    registers,
  })
  const sessionUp = new Gauge({
    name: 'rediware_session_store_up',
    help: '1 while the session store answers, 0 during an outage.',
    registers,
  })
  sessionUp.set(1)
  const jobs = new Counter({
    name: 'rediware_queue_jobs_total',
    help: 'Job attempts that ended in this process: completed, failed, stalled, lease-lost.',
    labelNames: ['queue', 'result'],
    registers,
  })
  const durations = new Histogram({
    name: 'rediware_queue_job_duration_seconds',
    help: 'Run time of completed jobs.',
    labelNames: ['queue'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  })
  new Gauge({
    name: 'rediware_queue_depth',
    help: 'Jobs per state (waiting, delayed, active, completed, failed), read from Redis at each scrape.',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      await Promise.all(
        [...queues].map(async ([queue, counts]) => {
          // A scrape during an outage keeps the last values; the outage shows in the other metrics.
          const current = await counts().catch(() => undefined)
          if (current === undefined) return
          for (const [state, value] of Object.entries(current)) this.set({ queue, state }, value)
        }),
      )
    },
  })
  new Gauge({
    name: 'rediware_realtime_clients',
    help: 'Open Server-Sent Events streams in this process.',
    registers,
    collect() {
      this.set(clients())
    },
  })
  const streamsClosed = new Counter({
    name: 'rediware_realtime_streams_closed_total',
    help: 'Streams ended: by the client, by shutdown, or dropped because the client fell too far behind (backlog).',
    labelNames: ['reason'],
    registers,
  })
  const dropped = new Counter({
    name: 'rediware_realtime_slow_clients_dropped_total',
    help: 'Streams closed because the client did not read fast enough (it reconnects and resumes).',
    registers,
  })
  const resets = new Counter({
    name: 'rediware_realtime_resets_total',
    help: 'Clients told to reload because what they missed was older than the history.',
    registers,
  })

  const clients = () => streams.reduce((sum, stats) => sum + stats().connections, 0)
  const cacheResults = new Set(['hit', 'stale', 'miss', 'bypass'])
  const value = async (counter: Counter, labels: Record<string, string> = {}): Promise<number> => {
    const { values } = await counter.get()
    return values
      .filter((item) => Object.entries(labels).every(([name, wanted]) => item.labels[name] === wanted))
      .reduce((sum, item) => sum + item.value, 0)
  }

  return {
    registry,
    cache: (event) => {
      if (cacheResults.has(event.type)) cacheResponses.inc({ result: event.type })
    },
    rateLimit: (limiter) => (event) => {
      limitedRequests.inc({ limiter, result: event.type })
      for (const policy of event.type === 'limited' ? event.info.violated : []) violations.inc({ limiter, policy })
    },
    session: (event) => {
      if (event.type === 'store-unavailable') {
        sessionOutages.inc()
        sessionUp.set(0)
      } else if (event.type === 'store-recovered') sessionUp.set(1)
    },
    queue: (event) => {
      if (event.type === 'completed') {
        jobs.inc({ queue: event.queue, result: 'completed' })
        durations.observe({ queue: event.queue }, event.durationMs / 1000)
      } else if (event.type === 'failed' || event.type === 'stalled' || event.type === 'lease-lost') {
        jobs.inc({ queue: event.queue, result: event.type })
      }
    },
    realtime: (event) => {
      if (event.type === 'close') {
        streamsClosed.inc({ reason: event.reason })
        if (event.reason === 'backlog') dropped.inc()
      } else if (event.type === 'reset') resets.inc()
    },
    watchQueue: (name, counts) => {
      queues.set(name, counts)
    },
    watchRealtime: (stats) => {
      streams.push(stats)
    },
    live: async () => ({
      cache: {
        hit: await value(cacheResponses, { result: 'hit' }),
        miss: await value(cacheResponses, { result: 'miss' }),
        stale: await value(cacheResponses, { result: 'stale' }),
      },
      rateLimit: {
        allowed: await value(limitedRequests, { result: 'allowed' }),
        limited: await value(limitedRequests, { result: 'limited' }),
      },
      realtime: { clients: clients(), dropped: await value(dropped) },
      sessionStoreOutages: await value(sessionOutages),
    }),
  }
}
