import type { Contender } from './scenario.js'
import type { Pinning } from './pinning.js'

/** One scenario measured once (one round): what `measure()` returns and the JSON keeps. */
export interface RoundMeasurement {
  scenarioId: string
  /** 0-based round, and the scenario's place in that round's (rotated) order. */
  round: number
  order: number
  requests: number
  requestsPerSecond: number
  p50: number
  p99: number
  statuses: Record<string, number>
  errors: number
  peakRssMb: number
  /** Client commands per request over the sequential requests after the load (MONITOR; a script is one). */
  redisCommandsPerRequest: number
  /** CPU time of the app's process during the load, per answered request, µs. */
  appCpuMicrosPerRequest: number
  /** CPU time of redis-server during the load (`INFO cpu` user + sys delta), per answered request, µs. */
  redisCpuMicrosPerRequest: number
  /** CPU time of the load generator's process, per answered request, µs. */
  loadCpuMicrosPerRequest: number
  /** CPU time of the runner's process (upstash-local lives there), per answered request, µs. */
  runnerCpuMicrosPerRequest: number
  /** The value of the scenario's extra measurement, when it has one. */
  extra?: string
}

/** A scenario as the results file describes it (no code). */
export interface ScenarioInfo {
  id: string
  group: string
  contender: Contender
  label: string
  extra?: { section: string; column: string }
}

/** One run of `pnpm bench`, as written to bench/results/<name>.json. */
export interface RunResults {
  format: 'rediware-bench/2'
  /** True for a run that only checks the pipeline (short, few rounds, or on a busy machine): not a measurement. */
  smoke: boolean
  startedAt: string
  finishedAt: string
  node: string
  cores: number
  /** Load average when the run started (1, 5, 15 min): how busy the machine was. */
  loadAverage: number[]
  pinning: Pinning
  settings: { durationSeconds: number; warmupSeconds: number; connections: number; rounds: number; quick: boolean }
  scenarios: ScenarioInfo[]
  measurements: RoundMeasurement[]
}

/** The run in `text`, or undefined for JSON of another kind (the queue benchmark writes queue.json beside ours). */
export function parseRunResults(text: string, source: string): RunResults | undefined {
  const parsed = JSON.parse(text) as Partial<RunResults>
  if (parsed.format !== 'rediware-bench/2') return undefined
  if (!Array.isArray(parsed.measurements) || !Array.isArray(parsed.scenarios))
    throw new Error(`${source}: a rediware-bench/2 file without measurements`)
  return parsed as RunResults
}
