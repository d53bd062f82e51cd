import { join } from 'node:path'
import { expectedQueueFiles } from '../src/queue/readme.js'
import { bullmq, ours, type QueueResults, renderQueueTable, renderQueueTargets } from '../src/queue/report.js'
import { statusOf } from './table-status.js'

const repoRoot = join(__dirname, '../..')

/** A run where BullMQ has the same figures every round and ours has `mine` (one value per round). */
function run(mine: Record<string, number[]>): QueueResults {
  const theirs: Record<string, number[]> = {
    'process c=1 jobs/s': [1000, 1000, 1000],
    'process c=16 jobs/s': [2000, 2000, 2000],
    'commands/job c=1': [2],
    'commands/job c=16': [2],
    'idle commands/min': [20],
    'latency p99 ms': [4, 4, 4],
  }
  const row = (figures: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(figures).map(([metric, values]) => [metric, { values }]))
  return {
    date: '2026-01-01T00:00:00.000Z',
    pinned: true,
    rounds: 3,
    scale: 1,
    results: { [ours]: row({ ...theirs, ...mine }), [bullmq]: row(theirs) },
  }
}

describe('queue benchmark report', () => {
  it('reads each target from the median of the per-round ratios', () => {
    const table = renderQueueTargets(
      run({
        'process c=1 jobs/s': [1300, 1250, 1400],
        'process c=16 jobs/s': [2000, 2600, 2500],
        'commands/job c=1': [2],
        'idle commands/min': [2],
        'latency p99 ms': [5, 5, 5],
      }),
    )
    expect(table).toContain('| processed jobs/s at concurrency 1 ≥ 1.2× BullMQ | 1.30× (1.25–1.40) | met |')
    expect(statusOf(table, 'processed jobs/s at concurrency 16')).toBe('met, within the spread between rounds')
    expect(statusOf(table, 'Redis commands per job (concurrency 1)')).toBe('met')
    expect(statusOf(table, 'idle worker')).toBe('met')
    expect(statusOf(table, 'add → start latency p99')).toBe('not met')
  })

  it('renders the median and the spread of every metric, a dash where a contender has no reading', () => {
    const table = renderQueueTable(run({ 'process c=1 jobs/s': [900, 1000, 1100] }))
    expect(table.split('\n')[0]).toBe(`| metric | ${ours} | ${bullmq} |`)
    expect(table).toContain(`| process c=1 jobs/s | 1,000 (±10%) | 1,000 (±0%) |`)
    expect(table).toContain('| commands/job c=1 | 2.00 | 2.00 |')
  })

  it('the README section and bench/results/queue.md are what the committed JSON renders (run pnpm bench:readme)', () => {
    for (const { file, current, expected } of expectedQueueFiles(repoRoot)) {
      expect({ file, text: current }).toEqual({ file, text: expected })
    }
  })
})
