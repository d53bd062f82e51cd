import type { Measurement } from './measure.js'

const fixed = (value: number, digits = 0) => value.toFixed(digits)
const ratio = (value: number, base: number | undefined) => (base ? `${(value / base).toFixed(2)}×` : '–')

/** One markdown table per group, with ratios against bare Express and the best (Redis-backed) peer of the group. */
export function renderReport(measurements: readonly Measurement[], header: string): string {
  const groups = [...new Set(measurements.map((m) => m.scenario.group))]
  const sections = groups.map((group) => {
    const rows = measurements.filter((m) => m.scenario.group === group)
    const bare = rows.find((m) => m.scenario.contender === 'bare express')?.requestsPerSecond
    const bestPeer = Math.max(0, ...rows.filter((m) => m.scenario.contender === 'peer').map((m) => m.requestsPerSecond))
    const withRounds = rows.some((m) => m.roundRates !== undefined)
    const lines = rows.map((m) =>
      [
        m.scenario.contender === 'rediware' ? `**${m.scenario.label}**` : m.scenario.label,
        fixed(m.requestsPerSecond),
        fixed(m.p50, 1),
        fixed(m.p99, 1),
        String(m.peakRssMb),
        fixed(m.redisCommandsPerRequest, 2),
        fixed(m.appCpuMicrosPerRequest),
        fixed(m.redisCpuMicrosPerRequest),
        fixed(m.loadCpuMicrosPerRequest),
        Object.entries(m.statuses)
          .map(([code, count]) => `${code}: ${count}`)
          .join(', ') + (m.errors ? `, errors: ${m.errors}` : ''),
        ratio(m.requestsPerSecond, bare),
        ratio(m.requestsPerSecond, bestPeer || undefined),
        ...(withRounds ? [(m.roundRates ?? []).map((rate) => fixed(rate)).join(', ')] : []),
      ].join(' | '),
    )
    return [
      `### ${group}`,
      '',
      `| contender | req/s | p50 ms | p99 ms | peak RSS MB | Redis cmds/req | app CPU µs/req | Redis CPU µs/req | load generator CPU µs/req | answers | vs bare Express | vs best peer |${withRounds ? ' rounds (req/s) |' : ''}`,
      `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |${withRounds ? ' --- |' : ''}`,
      ...lines.map((line) => `| ${line} |`),
    ].join('\n')
  })
  return `${header}\n\n${[...sections, ...extraSections(measurements)].join('\n\n')}\n`
}

/** One table per `scenario.extra.section`: contender and the extra value. */
function extraSections(measurements: readonly Measurement[]): string[] {
  const withExtra = measurements.filter((m) => m.scenario.extra !== undefined && m.extra !== undefined)
  const titles = [...new Set(withExtra.map((m) => m.scenario.extra?.section ?? ''))]
  return titles.map((title) => {
    const rows = withExtra.filter((m) => m.scenario.extra?.section === title)
    const column = rows[0]?.scenario.extra?.column ?? 'value'
    return [
      `### ${title}`,
      '',
      `| contender | ${column} |`,
      '| --- | --- |',
      ...rows.map((m) => `| ${m.scenario.contender === 'rediware' ? `**${m.scenario.label}**` : m.scenario.label} | ${m.extra} |`),
    ].join('\n')
  })
}
