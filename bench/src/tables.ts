import type { RunResults, ScenarioInfo } from './results.js'
import { bestPeer, type ContenderSummary, cpuPerRequest, roundRatios, type Spread, summarize } from './summary.js'
import type { TargetReading } from './targets.js'

const number = (value: number): string => {
  if (!Number.isFinite(value)) return '–'
  return Math.abs(value) < 10 ? value.toFixed(1) : value.toFixed(0)
}
const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–')

/** "312 (298–340)": the median, then the smallest and largest round when there were several. */
export function spread(value: Spread, format: (n: number) => string = number, rangeFormat = format): string {
  if (value.count === 0) return '–'
  return value.count === 1
    ? format(value.median)
    : `${format(value.median)} (${rangeFormat(value.min)}–${rangeFormat(value.max)})`
}

const ratioSpread = (value: Spread): string => spread(value, times, (n) => n.toFixed(2))

const name = (scenario: ScenarioInfo): string =>
  scenario.contender === 'rediware' ? `**${scenario.label}**` : scenario.label
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`

const answers = (summary: ContenderSummary): string =>
  Object.entries(summary.statuses)
    .map(([code, count]) => `${code}: ${count}`)
    .concat(summary.errors > 0 ? [`errors: ${summary.errors}`] : [])
    .join(', ')

/**
 * One group of a run: each contender's median over the rounds with the smallest and largest round;
 * ratios are taken per round against the group's best peer (lowest app + Redis CPU) and bare Express.
 */
export function groupTable(run: RunResults, group: string): string {
  const scenarios = run.scenarios.filter((s) => s.group === group)
  const peer = bestPeer(run, group)
  const bare = scenarios.find((s) => s.contender === 'bare express')
  const ratio = (subject: ScenarioInfo, base: ScenarioInfo | undefined, metric: Parameters<typeof roundRatios>[3]) =>
    base ? ratioSpread(roundRatios(run, subject.id, base.id, metric)) : '–'
  const lines = scenarios.map((scenario) => {
    const summary = summarize(run, scenario)
    return row([
      name(scenario),
      spread(summary.cpu),
      spread(summary.appCpu),
      spread(summary.redisCpu),
      ratio(scenario, peer, cpuPerRequest),
      ratio(scenario, bare, cpuPerRequest),
      spread(summary.requestsPerSecond),
      ratio(scenario, peer, (m) => m.requestsPerSecond),
      spread(summary.p50),
      spread(summary.p99),
      summary.redisCommands.count > 0 ? summary.redisCommands.median.toFixed(2) : '–',
      spread(summary.loadCpu),
      answers(summary),
    ])
  })
  return [
    row([
      'contender',
      'app + Redis CPU µs/req',
      'app CPU µs/req',
      'Redis CPU µs/req',
      'CPU vs best peer',
      'CPU vs bare Express',
      'req/s',
      'req/s vs best peer',
      'p50 ms',
      'p99 ms',
      'Redis cmds/req',
      'load generator CPU µs/req',
      'answers (all rounds)',
    ]),
    row(['---', ...Array.from({ length: 11 }, () => '---:'), '---']),
    ...lines,
  ].join('\n')
}

/** The run's extra measurements (e.g. handler runs for 100 concurrent misses), one table per section. */
export function extraTables(run: RunResults, groups: readonly string[]): string[] {
  const withExtra = run.scenarios.filter((s) => s.extra !== undefined && groups.includes(s.group))
  const sections = [...new Set(withExtra.map((s) => s.extra?.section ?? ''))]
  return sections.map((section) => {
    const rows = withExtra.filter((s) => s.extra?.section === section)
    return [
      `#### ${section}`,
      '',
      row(['contender', rows[0]?.extra?.column ?? 'value']),
      row(['---', '---']),
      ...rows.map((s) => row([name(s), summarize(run, s).extras.join('; ') || '–'])),
    ].join('\n')
  })
}

/** Targets as read from runs: one row per target and run. */
export function targetTable(readings: readonly { run: string; reading: TargetReading }[]): string {
  return [
    row([
      'target',
      'run',
      'ours',
      'compared with',
      'CPU ratio, median of rounds (min–max)',
      'Redis cmds/req',
      'status',
    ]),
    row(['---', '---', '---', '---', '---:', '---:', '---']),
    ...readings.map(({ run, reading }) =>
      row([
        reading.target.text,
        run,
        reading.subject?.label ?? '–',
        reading.base?.label ?? '–',
        reading.ratio ? ratioSpread(reading.ratio) : '–',
        reading.commands === undefined ? '–' : reading.commands.toFixed(2),
        reading.verdict,
      ]),
    ),
  ].join('\n')
}
