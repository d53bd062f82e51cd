export interface ChaosSettings {
  /** App processes per backend. */
  processes: number
  /** Load before the fault and after it is undone, ms. */
  loadBeforeMs: number
  loadAfterMs: number
  /** How long a kill / OOM / upstash-local stop lasts, ms. */
  holdMs: number
  /** Requests per second (upper bound) and in flight at most. */
  rate: number
  concurrency: number
  /** Per-request deadline: later answers count as hung. */
  deadlineMs: number
  /** Limit of the exactness probe. */
  probeLimit: number
  /** Each fault is injected this many times per backend. */
  rounds: number
  /** Deadline the app's client puts on each Redis call, ms (0: the client's default). */
  redisTimeoutMs: number
  /** How long the apps may take to report the backend ready again, ms. */
  recoveryTimeoutMs: number
}

export const shortRun: ChaosSettings = {
  processes: 4,
  loadBeforeMs: 1000,
  loadAfterMs: 1000,
  holdMs: 1000,
  rate: 80,
  concurrency: 8,
  deadlineMs: 5000,
  probeLimit: 10,
  rounds: 1,
  // CI shares its cores with the rest of the suite: a 250 ms deadline missed there would send the
  // exactness probe to the per-process fallback limiter. The long run keeps the client's default.
  redisTimeoutMs: 1000,
  recoveryTimeoutMs: 30_000,
}

export const longRun: ChaosSettings = {
  ...shortRun,
  loadBeforeMs: 5000,
  loadAfterMs: 5000,
  holdMs: 3000,
  rate: 200,
  concurrency: 16,
  probeLimit: 25,
  rounds: 3,
  redisTimeoutMs: 0,
}

/** The queue chaos run: 4 worker processes, SIGKILLs, and a backend fault (restart, or failover on Cluster). */
export const queueShortRun = {
  jobs: 1500,
  workers: 4,
  concurrency: 4,
  jobMs: 50,
  kills: 3,
  killEveryMs: 600,
  backendFaults: 1,
  leaseMs: 5000,
  clusterShards: 6,
  timeoutMs: 120_000,
}

export const queueLongRun = {
  ...queueShortRun,
  jobs: 10_000,
  kills: 12,
  killEveryMs: 1000,
  backendFaults: 2,
  leaseMs: 10_000,
  timeoutMs: 300_000,
}

/** The realtime chaos run: 2 app processes, 8 resuming SSE readers, Redis killed and an app process SIGKILLed meanwhile. */
export const realtimeShortRun = {
  apps: 2,
  readers: 8,
  publishMs: 6000,
  publishEveryMs: 20,
  redisKillAtMs: 1500,
  redisDownMs: 2500,
  appKillAtMs: 4000,
  settleMs: 20_000,
}

export const realtimeLongRun = {
  ...realtimeShortRun,
  apps: 4,
  readers: 40,
  publishMs: 30_000,
  redisDownMs: 5000,
  redisKillAtMs: 8000,
  appKillAtMs: 20_000,
  settleMs: 60_000,
}
