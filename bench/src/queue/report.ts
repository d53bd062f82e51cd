import { spreadOf } from '../summary.js'

/** The queue benchmark's results file (bench/results/queue.json) and what is rendered from it. */
export interface QueueResults {
  date: string
  pinned: boolean
  rounds: number
  scale: number
  /** Per contender, per metric, one value per round (round order) or one value for a single measurement. */
  results: Record<string, Record<string, { values: number[] }>>
}

export const ours = '@rediware/queue (ioredis)'
export const bullmq = 'bullmq 6'

const median = (values: readonly number[]): number => spreadOf(values).median

const format = (value: number): string => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2))

/** Half the range between the rounds, as a share of the median. */
const spread = (values: readonly number[]): number =>
  values.length < 2 ? 0 : (Math.max(...values) - Math.min(...values)) / median(values)

export function parseQueueResults(text: string): QueueResults {
  const parsed = JSON.parse(text) as Partial<QueueResults>
  if (typeof parsed.date !== 'string' || typeof parsed.results !== 'object' || parsed.results === null)
    throw new TypeError('bench/results/queue.json: expected { date, pinned, rounds, scale, results }')
  return parsed as QueueResults
}

/** Every metric of every contender: the median over rounds, with the spread where there are several. */
export function renderQueueTable({ results }: QueueResults): string {
  const names = Object.keys(results)
  const metrics = [...new Set(Object.values(results).flatMap((row) => Object.keys(row)))]
  const cell = (name: string, metric: string): string => {
    const values = results[name]?.[metric]?.values
    if (!values || values.length === 0) return '—'
    return values.length > 1
      ? `${format(median(values))} (±${Math.round(spread(values) * 50)}%)`
      : format(median(values))
  }
  return [
    `| metric | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---:').join(' | ')} |`,
    ...metrics.map((metric) => `| ${metric} | ${names.map((name) => cell(name, metric)).join(' | ')} |`),
  ].join('\n')
}

interface Target {
  label: string
  metric: string
  /** Ours ÷ BullMQ must be at least (`min`) or at most (`max`) this. */
  min?: number
  max?: number
}

const targets: readonly Target[] = [
  { label: 'processed jobs/s at concurrency 1 ≥ 1.2× BullMQ', metric: 'process c=1 jobs/s', min: 1.2 },
  { label: 'processed jobs/s at concurrency 16 ≥ 1.2× BullMQ', metric: 'process c=16 jobs/s', min: 1.2 },
  { label: 'Redis commands per job (concurrency 1) ≤ BullMQ', metric: 'commands/job c=1', max: 1 },
  { label: 'Redis commands per job (concurrency 16) ≤ BullMQ', metric: 'commands/job c=16', max: 1 },
  { label: 'idle worker commands per minute ≤ 1/5 of BullMQ', metric: 'idle commands/min', max: 0.2 },
  { label: 'add → start latency p99 ≤ BullMQ', metric: 'latency p99 ms', max: 1 },
]

/** Ours over BullMQ per round (same round index), as median and range. */
function ratios(results: QueueResults['results'], metric: string): number[] {
  const a = results[ours]?.[metric]?.values ?? []
  const b = results[bullmq]?.[metric]?.values ?? []
  return a.flatMap((value, index) => {
    const other = b[index]
    return other === undefined || other === 0 ? [] : [value / other]
  })
}

/** Each target read from the median of the per-round ratios; the range says how far the rounds moved. */
export function renderQueueTargets({ results }: QueueResults): string {
  const rows = targets.map((target) => {
    const values = ratios(results, target.metric)
    if (values.length === 0) return `| ${target.label} | no reading | — |`
    const middle = median(values)
    const low = Math.min(...values)
    const high = Math.max(...values)
    const met = target.min !== undefined ? middle >= target.min : middle <= (target.max ?? Number.POSITIVE_INFINITY)
    const bound = target.min ?? target.max ?? 0
    const unsure = low <= bound && bound <= high && values.length > 1
    const range = values.length > 1 ? ` (${low.toFixed(2)}–${high.toFixed(2)})` : ''
    const status = `${met ? 'met' : 'not met'}${unsure ? ', within the spread between rounds' : ''}`
    return `| ${target.label} | ${middle.toFixed(2)}×${range} | ${status} |`
  })
  return ['| target | ours ÷ BullMQ, median of rounds | status |', '| --- | --- | --- |', ...rows].join('\n')
}

export function renderQueueBody(run: QueueResults): string {
  const when = run.date.slice(0, 16).replace('T', ' ')
  return [
    `${when} UTC · ${run.rounds} round(s) in rotating order, scale ${run.scale} · ${run.pinned ? 'pinned with taskset (benchmark on core 0, Redis on core 1)' : 'not pinned (taskset missing)'}. Command: \`pnpm --filter @rediware/bench queue\`.`,
    '',
    renderQueueTargets(run),
    '',
    renderQueueTable(run),
  ].join('\n')
}

/** bench/results/queue.md */
export const renderQueueReport = (run: QueueResults): string => `${renderQueueBody(run)}\n`
