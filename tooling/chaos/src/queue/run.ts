import { randomBytes } from 'node:crypto'
import { createClient, type RedisClient } from '@rediware/redis'
import { createQueue, type Queue } from '@rediware/queue'
import { type ChaosBackend, type ChaosBackendName, startChaosBackend } from '../backends.js'
import type { WorkerMessage } from './messages.js'
import { WorkerFleet, type WorkerProcess } from './workers.js'

export interface QueueChaosSettings {
  jobs: number
  /** Worker processes running at any time. */
  workers: number
  concurrency: number
  /** How long each job's handler takes, ms. */
  jobMs: number
  /** Workers killed with SIGKILL (and replaced) during the run, one every `killEveryMs`. */
  kills: number
  killEveryMs: number
  /** Backend faults during the run: Redis killed and restarted (AOF), or a Cluster master failover. */
  backendFaults: number
  leaseMs: number
  /** Shards on Cluster (spread over the masters, so a failover hits part of the queue). */
  clusterShards: number
  timeoutMs: number
}

export interface QueueChaosRow {
  backend: ChaosBackendName
  jobs: number
  kills: number
  backendFaults: string[]
  seconds: number
  completed: number
  /** Jobs not completed at the end (must be 0). */
  missing: number
  /** Jobs whose completion was reported more than once (must be 0). */
  completedTwice: number
  /** Handler runs in all, and the most for one job. */
  runs: number
  maxRunsPerJob: number
  /** Jobs run more often than 1 + the crashes (worker kills, master failovers) that hit them (must be 0). */
  overRun: number
  /** Jobs hit by a crash while running. */
  crashHits: number
  leaseLost: number
  problems: string[]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function backendFault(backend: ChaosBackend): Promise<string> {
  if (backend.cluster) {
    const result = await backend.cluster.failover()
    return `master :${result.killedPort} failed over to :${result.promotedPort} in ${result.promotionMs} ms`
  }
  const servers = backend.servers()
  await Promise.all(servers.map((server) => server.kill()))
  await sleep(500)
  await Promise.all(servers.map((server) => server.restart()))
  return 'Redis killed (SIGKILL) and restarted from its AOF'
}

async function addAll(queue: Queue<{ n: number }>, jobs: number): Promise<void> {
  for (let start = 0; start < jobs; start += 500) {
    const batch = Array.from({ length: Math.min(500, jobs - start) }, (_, offset) => ({
      data: { n: start + offset },
      options: { id: `job-${start + offset}`, attempts: 50, backoff: { type: 'fixed' as const, delay: 100 } },
    }))
    await queue.addBulk(batch)
  }
}

/**
 * 4 worker processes drain `jobs` jobs while workers are SIGKILLed and replaced and the backend is
 * faulted; then every job must be completed, none completed twice, and no job run more often than
 * 1 + the crashes that hit it.
 */
export async function runQueueChaos(
  name: ChaosBackendName,
  settings: QueueChaosSettings,
  entry: string,
  log: (line: string) => void = () => undefined,
): Promise<QueueChaosRow> {
  const started = Date.now()
  const backend = await startChaosBackend(name)
  const env = {
    ...backend.env,
    CHAOS_PREFIX: `qchaos:${randomBytes(4).toString('hex')}:`,
    CHAOS_QUEUE: 'orders',
    CHAOS_SHARDS: String(name === 'cluster' ? settings.clusterShards : 1),
    CHAOS_CONCURRENCY: String(settings.concurrency),
    CHAOS_LEASE: String(settings.leaseMs),
    CHAOS_JOB_MS: String(settings.jobMs),
    CHAOS_KEEP: String(settings.jobs * 2),
    CHAOS_REDIS_TIMEOUT: '2000',
  }
  const runs = new Map<string, number>()
  const completions = new Map<string, number>()
  const hits = new Map<string, number>()
  let startedDuringFault: Set<string> | undefined
  /** Which worker started each run, and which workers reported a lost lease, per job (for the report). */
  const history = new Map<string, string[]>()
  const note = (id: string, entry: string) => {
    const list = history.get(id) ?? []
    if (list.length < 6) list.push(entry)
    history.set(id, list)
  }
  const problems: string[] = []
  let leaseLost = 0
  const onMessage = (worker: WorkerProcess, message: WorkerMessage) => {
    if (message.type === 'start') {
      runs.set(message.id, (runs.get(message.id) ?? 0) + 1)
      startedDuringFault?.add(message.id)
      note(message.id, `started by worker ${worker.index} (attempt ${message.attempt}) at +${Date.now() - started} ms`)
    }
    if (message.type === 'lost') note(message.id, `lease lost by worker ${worker.index} at +${Date.now() - started} ms`)
    if (message.type === 'completed') completions.set(message.id, (completions.get(message.id) ?? 0) + 1)
    if (message.type === 'lost') leaseLost += 1
    if (message.type === 'problem' && problems.length < 10) problems.push(message.detail)
  }
  const fleet = new WorkerFleet(entry, env, onMessage)
  let client: RedisClient | undefined
  const faults: string[] = []
  try {
    client = createClient(env, { timeout: 5000 })
    const queue = createQueue<{ n: number }>({
      redis: client,
      name: env.CHAOS_QUEUE,
      prefix: env.CHAOS_PREFIX,
      shards: Number(env.CHAOS_SHARDS),
      keep: { completed: { count: settings.jobs * 2, age: '1 d' } },
      warn: () => undefined,
      onError: () => undefined,
    })
    await addAll(queue, settings.jobs)
    log(`[queue chaos] ${name}: ${settings.jobs} jobs added in ${Date.now() - started} ms`)
    const workers = await Promise.all(Array.from({ length: settings.workers }, () => fleet.start()))
    // The faults start once the workers are busy, so that each one hits running jobs.
    while ([...runs.keys()].length < settings.jobs / 10 && Date.now() - started < settings.timeoutMs) await sleep(50)
    const faultAt = new Set(
      Array.from({ length: settings.backendFaults }, (_, index) =>
        Math.floor(((index + 1) * settings.kills) / (settings.backendFaults + 1)),
      ),
    )
    for (let kill = 0; kill < settings.kills; kill += 1) {
      await sleep(settings.killEveryMs)
      const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]
      if (victim) {
        const hit = await victim.kill()
        for (const id of hit) hits.set(id, (hits.get(id) ?? 0) + 1)
        for (const id of hit) note(id, `worker ${victim.index} killed at +${Date.now() - started} ms`)
        log(
          `[queue chaos] ${name}: worker ${victim.index} killed with ${hit.length} job(s) running; ${runs.size} jobs started so far`,
        )
      }
      const replacement = fleet.start()
      if (faultAt.has(kill)) {
        // A Redis crash hits every running job: renewals and settles fail while it is down (past the
        // lease, the job runs again), and a failover loses what the dead master had not replicated.
        // Running at the fault: in flight when it began, or started while the backend was down.
        const running = new Set(workers.flatMap((worker) => [...worker.inFlight]))
        const faultAt = Date.now() - started
        startedDuringFault = running
        faults.push(await backendFault(backend))
        startedDuringFault = undefined
        log(`[queue chaos] ${name}: backend fault from +${faultAt} ms to +${Date.now() - started} ms`)
        for (const id of running) hits.set(id, (hits.get(id) ?? 0) + 1)
        log(`[queue chaos] ${name}: ${faults.at(-1)}, with ${running.size} job(s) running`)
      }
      workers.push(await replacement)
    }
    const deadline = Date.now() + settings.timeoutMs
    let completed = 0
    while (Date.now() < deadline) {
      completed = await queue
        .counts()
        .then((counts) => counts.completed)
        .catch(() => completed)
      if (completed >= settings.jobs) break
      await sleep(250)
    }
    const ids = Array.from({ length: settings.jobs }, (_, n) => `job-${n}`)
    const over = ids.filter((id) => (runs.get(id) ?? 0) > 1 + (hits.get(id) ?? 0))
    for (const id of over.slice(0, 5))
      problems.push(
        `${id} ran ${runs.get(id)} times, hit by ${hits.get(id) ?? 0} crash(es): ${(history.get(id) ?? []).join('; ')}`,
      )
    return {
      backend: name,
      jobs: settings.jobs,
      kills: settings.kills,
      backendFaults: faults,
      seconds: Math.round((Date.now() - started) / 1000),
      completed,
      missing: settings.jobs - completed,
      completedTwice: ids.filter((id) => (completions.get(id) ?? 0) > 1).length,
      runs: [...runs.values()].reduce((sum, count) => sum + count, 0),
      maxRunsPerJob: Math.max(0, ...runs.values()),
      overRun: over.length,
      crashHits: [...hits.values()].reduce((sum, count) => sum + count, 0),
      leaseLost,
      problems,
    }
  } finally {
    await fleet.stop()
    await client?.close()
    await backend.stop()
  }
}

export const queueRowPasses = (row: QueueChaosRow): boolean =>
  row.missing === 0 && row.completedTwice === 0 && row.overRun === 0 && row.problems.length === 0

export function queueMarkdownTable(rows: readonly QueueChaosRow[]): string {
  return [
    '| backend | jobs | workers killed (SIGKILL) | backend fault | completed | missing | completed twice | handler runs (max per job) | crash hits | runs beyond 1 + hits | leases lost | seconds |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.backend} | ${row.jobs} | ${row.kills} | ${row.backendFaults.join('; ') || 'none'} | ${row.completed} | ${row.missing} | ${row.completedTwice} | ${row.runs} (${row.maxRunsPerJob}) | ${row.crashHits} | ${row.overRun} | ${row.leaseLost} | ${row.seconds} |`,
    ),
  ].join('\n')
}
