import type { RoundMeasurement, RunResults, ScenarioInfo } from './results.js'

/** A median over rounds with the smallest and largest round. */
export interface Spread {
  median: number
  min: number
  max: number
  /** How many rounds it was taken over. */
  count: number
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b)
  const count = sorted.length
  if (count === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, count }
  const middle = Math.floor(count / 2)
  const median = count % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
  return { median, min: sorted[0] ?? 0, max: sorted[count - 1] ?? 0, count }
}

/** App + Redis CPU per request: the figure targets are read on. */
export const cpuPerRequest = (m: RoundMeasurement): number => m.appCpuMicrosPerRequest + m.redisCpuMicrosPerRequest

/** One contender of a run, over its rounds. */
export interface ContenderSummary {
  scenario: ScenarioInfo
  appCpu: Spread
  redisCpu: Spread
  /** App + Redis, added per round, then the median. */
  cpu: Spread
  loadCpu: Spread
  requestsPerSecond: Spread
  p50: Spread
  p99: Spread
  redisCommands: Spread
  errors: number
  /** Every round's statuses added up. */
  statuses: Record<string, number>
  extras: string[]
}

export function measurementsOf(run: RunResults, scenarioId: string): RoundMeasurement[] {
  return run.measurements.filter((m) => m.scenarioId === scenarioId).sort((a, b) => a.round - b.round)
}

export function summarize(run: RunResults, scenario: ScenarioInfo): ContenderSummary {
  const rows = measurementsOf(run, scenario.id)
  const of = (pick: (m: RoundMeasurement) => number) => spreadOf(rows.map(pick))
  const statuses: Record<string, number> = {}
  for (const row of rows) {
    for (const [code, count] of Object.entries(row.statuses)) statuses[code] = (statuses[code] ?? 0) + count
  }
  return {
    scenario,
    appCpu: of((m) => m.appCpuMicrosPerRequest),
    redisCpu: of((m) => m.redisCpuMicrosPerRequest),
    cpu: of(cpuPerRequest),
    loadCpu: of((m) => m.loadCpuMicrosPerRequest),
    requestsPerSecond: of((m) => m.requestsPerSecond),
    p50: of((m) => m.p50),
    p99: of((m) => m.p99),
    redisCommands: of((m) => m.redisCommandsPerRequest),
    errors: rows.reduce((sum, m) => sum + m.errors, 0),
    statuses,
    extras: [...new Set(rows.flatMap((m) => (m.extra === undefined ? [] : [m.extra])))],
  }
}

/**
 * `metric(subject) / metric(base)` in every round that measured both (the two ran minutes apart at
 * most, on the same machine state), then their median and spread.
 */
export function roundRatios(
  run: RunResults,
  subjectId: string,
  baseId: string,
  metric: (m: RoundMeasurement) => number,
): Spread {
  const base = new Map(measurementsOf(run, baseId).map((m) => [m.round, m]))
  const ratios = measurementsOf(run, subjectId).flatMap((m) => {
    const other = base.get(m.round)
    return other && metric(other) > 0 ? [metric(m) / metric(other)] : []
  })
  return spreadOf(ratios)
}

/** The Redis-backed peer of a group with the lowest median app + Redis CPU per request. */
export function bestPeer(run: RunResults, group: string): ScenarioInfo | undefined {
  const peers = run.scenarios.filter((s) => s.group === group && s.contender === 'peer')
  const ranked = peers
    .map((scenario) => ({ scenario, cpu: spreadOf(measurementsOf(run, scenario.id).map(cpuPerRequest)).median }))
    .filter((entry) => Number.isFinite(entry.cpu))
    .sort((a, b) => a.cpu - b.cpu || a.scenario.id.localeCompare(b.scenario.id))
  return ranked[0]?.scenario
}

export const groupsOf = (run: RunResults): string[] => [...new Set(run.scenarios.map((s) => s.group))]
