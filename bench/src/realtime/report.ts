import { smokeWarning } from '../report.js'
import type { RealtimeResults } from './results.js'
import { contendersOf, figure, type NumericFigure, ratio, type Spread } from './summary.js'

const number = (value: number): string => {
  if (!Number.isFinite(value)) return '–'
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return value.toFixed(Math.abs(value) >= 10 ? 1 : 2)
}

/** "12.3" for one round, "12.3 (11.0–13.1)" for several. */
const spread = (s: Spread, scale = 1, unit = ''): string =>
  s.min === s.max
    ? `${number(s.median * scale)}${unit}`
    : `${number(s.median * scale)}${unit} (${number(s.min * scale)}–${number(s.max * scale)})`

/** One line saying how the run was made. */
export function describeRealtimeRun(results: RealtimeResults): string {
  const { settings, pinning } = results
  const pinned =
    pinning.mode === 'taskset'
      ? `pinned with taskset: both app processes on CPU ${pinning.appCpus}; redis-server and the load process (publisher and clients) on CPU ${pinning.otherCpus}`
      : `**not pinned** (${pinning.reason ?? 'no taskset'}): every process shares every core`
  return [
    `${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    `Node ${results.node}`,
    `${results.cores} cores`,
    `load average ${results.loadAverage.map((n) => n.toFixed(1)).join(' / ')} at the start`,
    pinned,
    `${settings.rounds} round${settings.rounds === 1 ? '' : 's'} in rotating order`,
    `${settings.clients.toLocaleString('en-US')} clients over 2 app processes`,
    `${settings.rate} events/s for ${settings.durationSeconds} s measured`,
    `${Math.round(settings.reconnectShare * 100)}% of the clients away for ${settings.awaySeconds} s`,
  ].join(' · ')
}

interface Row {
  label: string
  key: NumericFigure
  scale?: number
  unit?: string
}

/** The figures table: one row per figure, one column per contender, median over rounds (smallest–largest). */
export function renderFigures(results: RealtimeResults): string {
  const { settings } = results
  const columns = contendersOf(results)
  const rows: Row[] = [
    { label: 'publish → receive p50 (ms)', key: 'latencyP50Ms' },
    { label: 'publish → receive p99 (ms)', key: 'latencyP99Ms' },
    { label: 'app CPU per delivered event (µs, both app processes)', key: 'appCpuMicrosPerDelivery' },
    { label: 'Redis CPU per published event (µs)', key: 'redisCpuMicrosPerPublish' },
    {
      label: `Redis commands per published event, ${settings.smallClients.toLocaleString('en-US')} clients`,
      key: 'commandsPerPublishSmall',
    },
    {
      label: `Redis commands per published event, ${settings.clients.toLocaleString('en-US')} clients`,
      key: 'commandsPerPublishFull',
    },
    { label: '… of which script calls (one round trip each)', key: 'scriptCallsPerPublish' },
    { label: 'app RSS per 1,000 clients (MB)', key: 'rssBytesPer1000Clients', scale: 1 / 2 ** 20 },
    { label: 'events lost across a reconnect', key: 'reconnectLost' },
    { label: '… out of (events away × clients away)', key: 'reconnectEventsAway' },
    { label: 'deliveries missing in the measured phase', key: 'steadyMissing' },
    { label: 'load process CPU (share of one core: near 1 = clients were the bottleneck)', key: 'loadProcessCpuShare' },
  ]
  const away = (id: (typeof columns)[number]['id']) =>
    figure(results, id, 'reconnectEventsAway').median * figure(results, id, 'reconnectClients').median
  const cell = (row: Row, id: (typeof columns)[number]['id']) =>
    row.key === 'reconnectEventsAway' ? number(away(id)) : spread(figure(results, id, row.key), row.scale)
  return [
    `| | ${columns.map((c) => c.name).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
    ...rows.map((row) => `| ${row.label} | ${columns.map((c) => cell(row, c.id)).join(' | ')} |`),
  ].join('\n')
}

type Status = 'met' | 'not met' | 'not measured'

/** The targets, read on this run. */
export function renderTargets(results: RealtimeResults): string {
  const has = (id: string) => contendersOf(results).some((c) => c.id === id)
  const rows: { target: string; reading: string; status: Status }[] = []
  const against = (label: string, key: NumericFigure, limit: number) => {
    if (!has('rediware') || !has('socket.io')) return rows.push({ target: label, reading: '–', status: 'not measured' })
    const r = ratio(results, 'socket.io', key)
    return rows.push({
      target: label,
      reading: `${spread(r, 1, '×')} socket.io's`,
      status: r.median <= limit ? 'met' : 'not met',
    })
  }
  against("app CPU per delivered event ≤ 0.8× socket.io's", 'appCpuMicrosPerDelivery', 0.8)
  against("p99 publish → receive ≤ socket.io's", 'latencyP99Ms', 1)
  const ours = results.rounds.flatMap((round) => round.filter((r) => r.contender === 'rediware'))
  if (ours.length === 0) {
    rows.push({
      target: 'Redis commands per published event independent of client count',
      reading: '–',
      status: 'not measured',
    })
    rows.push({ target: '0 events lost across a reconnect', reading: '–', status: 'not measured' })
  } else {
    const { smallClients, clients } = results.settings
    const steady = ours.every(
      (r) => Math.abs(r.commandsPerPublishFull - r.commandsPerPublishSmall) <= 0.02 * r.commandsPerPublishSmall,
    )
    rows.push({
      target: 'Redis commands per published event independent of client count',
      reading: `${spread(figure(results, 'rediware', 'commandsPerPublishSmall'))} at ${smallClients.toLocaleString('en-US')} clients, ${spread(figure(results, 'rediware', 'commandsPerPublishFull'))} at ${clients.toLocaleString('en-US')}`,
      status: steady ? 'met' : 'not met',
    })
    const lost = ours.reduce((sum, r) => sum + r.reconnectLost, 0)
    const away = ours.reduce((sum, r) => sum + r.reconnectEventsAway * r.reconnectClients, 0)
    rows.push({
      target: '0 events lost across a reconnect',
      reading: `${lost.toLocaleString('en-US')} of ${away.toLocaleString('en-US')} missed while away, over ${ours.length} round${ours.length === 1 ? '' : 's'}`,
      status: lost === 0 ? 'met' : 'not met',
    })
  }
  return [
    '| target | reading | status |',
    '| --- | --- | --- |',
    ...rows.map(({ target, reading, status }) => `| ${target} | ${reading} | ${status} |`),
  ].join('\n')
}

/** The body shown in the README and in bench/results/NAME.md: caption, targets, figures. */
export function renderRealtimeBody(results: RealtimeResults): string {
  return [
    ...(results.smoke ? [smokeWarning] : []),
    `${describeRealtimeRun(results)}. Command: \`${results.command}\`.`,
    'Targets (ratios are ours over socket.io within each round; median, smallest–largest round in brackets):',
    renderTargets(results),
    'Figures (median over rounds, smallest–largest round in brackets):',
    renderFigures(results),
  ].join('\n\n')
}

export function renderRealtimeReport(results: RealtimeResults): string {
  return `# Realtime benchmark\n\n${renderRealtimeBody(results)}\n\nHow it is measured: [bench/README.md](../README.md#realtime). Generated from the JSON beside this file.\n`
}
