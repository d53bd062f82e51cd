import { randomBytes } from 'node:crypto'
import { type ChaosBackend, type ChaosBackendName, chaosBackendNames, startChaosBackend } from './backends.js'
import {
  admitsForFreshKey,
  cacheHitsEverywhere,
  createSessions,
  lostSessions,
  revivedAfterLogout,
  type TrackedSession,
  waitHealthy,
} from './checks.js'
import { type Fault, type FaultName, faults as allFaults } from './faults.js'
import { type Fleet, startFleet } from './fleet.js'
import { request, sessionCookie } from './http.js'
import { type LoadFigures, loadItemCount, startLoad } from './load.js'
import type { ChaosSettings } from './settings.js'

export interface ChaosRow {
  backend: ChaosBackendName
  fault: FaultName
  round: number
  note: string
  load: LoadFigures
  crashes: number
  unhandledRejections: number
  uncaughtExceptions: number
  /** Errors the middleware passed to the app's error handler, other than a session-store 503 answered in time. */
  serverErrors: number
  /** ms from the fault being undone until every process reported the backend ready; -1: never. */
  recoveryMs: number
  admitted: number
  limit: number
  cacheHits: boolean
  sessionsChecked: number
  sessionsLost: number
  /** Why each lost session counts as lost: where it was made and what reading it answered. */
  lostSessions: string[]
  /** Sessions logged out on one process while all 4 wrote to them, after recovery. */
  logoutsChecked: number
  /** Of those, sessions that any process still served afterwards (must be 0). */
  logoutsRevived: number
  details: string[]
}

export interface ChaosRunOptions {
  /** Path of app-process.ts (callers know it: import.meta.url in the CLI, __dirname in jest). */
  entry: string
  settings: ChaosSettings
  backends?: readonly ChaosBackendName[]
  faults?: readonly FaultName[]
  log?: (line: string) => void
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function loadCookie(port: number): Promise<string> {
  const answer = await request(port, 'POST', '/api/session?value=load', 10_000)
  const cookie = sessionCookie(answer)
  if (answer.status !== 200 || cookie === undefined)
    throw new Error(`could not create the load session: ${answer.status} ${answer.body}`)
  return cookie
}

async function warmCache(ports: readonly number[]): Promise<void> {
  for (let item = 1; item <= loadItemCount; item += 1)
    await request(ports[0] as number, 'GET', `/api/items/${item}`, 10_000)
}

async function runFault(
  backend: ChaosBackend,
  fleet: Fleet,
  fault: Fault,
  round: number,
  sessions: TrackedSession[],
  cookie: string,
  settings: ChaosSettings,
): Promise<ChaosRow> {
  sessions.push(...(await createSessions(fleet.ports, `before ${fault.name} #${round}`)))
  await warmCache(fleet.ports)
  fleet.takeEvents()
  const load = startLoad({
    ports: fleet.ports,
    rate: settings.rate,
    concurrency: settings.concurrency,
    maxRequests: Math.ceil(
      (settings.rate * (settings.loadBeforeMs + settings.loadAfterMs + settings.holdMs + 60_000)) / 1000,
    ),
    deadlineMs: settings.deadlineMs,
    cookie,
  })
  let note = ''
  let failure: unknown
  try {
    await sleep(settings.loadBeforeMs)
    note = await fault.inject(backend, settings.holdMs)
    await sleep(settings.loadAfterMs)
  } catch (error) {
    failure = error
  }
  const figures = await load.stop()
  if (failure !== undefined) throw failure
  const recoveryMs = await waitHealthy(fleet.ports, settings.recoveryTimeoutMs)
  const admitted = await admitsForFreshKey(fleet.ports, settings.probeLimit)
  const cacheHits = await cacheHitsEverywhere(
    fleet.ports,
    `/api/items/check-${fault.name}-${round}-${randomBytes(4).toString('hex')}`,
  )
  const lost = await lostSessions(fleet.ports, sessions)
  const logouts = await revivedAfterLogout(fleet.ports)
  const events = fleet.takeEvents()
  return {
    backend: backend.name,
    fault: fault.name,
    round,
    note,
    load: figures,
    crashes: events.crashes,
    unhandledRejections: events.unhandledRejections,
    uncaughtExceptions: events.uncaughtExceptions,
    serverErrors: events.serverErrors,
    recoveryMs,
    admitted,
    limit: settings.probeLimit,
    cacheHits,
    sessionsChecked: sessions.length,
    sessionsLost: lost.length,
    lostSessions: lost,
    logoutsChecked: logouts.checked,
    logoutsRevived: logouts.revived,
    details: events.details,
  }
}

/** Every fault that applies to each backend, in turn, against one fleet of app processes per backend. */
export async function runChaos(options: ChaosRunOptions): Promise<ChaosRow[]> {
  const { entry, settings, backends = chaosBackendNames, log = () => undefined } = options
  const selected = allFaults.filter((fault) => options.faults === undefined || options.faults.includes(fault.name))
  const rows: ChaosRow[] = []
  for (const name of backends) {
    const started = Date.now()
    const backend = await startChaosBackend(name)
    let fleet: Fleet | undefined
    try {
      fleet = await startFleet(entry, settings.processes, {
        ...backend.env,
        CHAOS_PREFIX: `chaos:${randomBytes(4).toString('hex')}:`,
        CHAOS_PROBE_LIMIT: String(settings.probeLimit),
        CHAOS_REDIS_TIMEOUT: String(settings.redisTimeoutMs),
      })
      log(`[chaos] ${name}: backend and ${settings.processes} app processes up in ${Date.now() - started} ms`)
      const cookie = await loadCookie(fleet.ports[0] as number)
      const sessions: TrackedSession[] = []
      for (const fault of selected.filter((each) => each.appliesTo.includes(name))) {
        for (let round = 1; round <= settings.rounds; round += 1) {
          const row = await runFault(backend, fleet, fault, round, sessions, cookie, settings)
          log(`[chaos] ${name} × ${fault.name} #${round}: ${JSON.stringify({ ...row, details: undefined })}`)
          for (const detail of [...row.details, ...row.lostSessions, ...row.load.failures]) log(`[chaos]   ${detail}`)
          rows.push(row)
        }
      }
    } finally {
      await fleet?.stop()
      await backend.stop()
    }
  }
  return rows
}
