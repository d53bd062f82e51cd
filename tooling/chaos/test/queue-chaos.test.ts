import { join } from 'node:path'
import { chaosBackendNames } from '../src/backends.js'
import { queueMarkdownTable, type QueueChaosRow, runQueueChaos } from '../src/queue/run.js'
import { queueShortRun } from '../src/settings.js'

// The short queue chaos run (`pnpm chaos --suite queue` runs it too; `--long` runs 10 000 jobs):
// 4 worker processes (the built packages: `pnpm build` first) drain 1 500 jobs while workers are
// SIGKILLed and replaced and Redis is restarted from its AOF (a master fails over on Cluster).
const rows: QueueChaosRow[] = []

describe.each(chaosBackendNames)('queue chaos over %s', (backend) => {
  let row: QueueChaosRow
  beforeAll(async () => {
    row = await runQueueChaos(
      backend,
      queueShortRun,
      join(__dirname, '..', 'src', 'queue', 'worker-process.ts'),
      (line) => console.log(line),
    )
    rows.push(row)
    console.log(queueMarkdownTable([row]))
  }, 240_000)

  test('every job completed, none completed twice', () => {
    expect({ missing: row.missing, completedTwice: row.completedTwice }).toEqual({ missing: 0, completedTwice: 0 })
    expect(row.completed).toBe(queueShortRun.jobs)
  })

  test('no job ran more often than 1 + the crashes that hit it; the crashes did hit jobs', () => {
    expect(row.overRun).toBe(0)
    expect(row.crashHits).toBeGreaterThan(0)
    expect(row.maxRunsPerJob).toBeGreaterThan(1)
    expect(row.backendFaults).toHaveLength(queueShortRun.backendFaults)
  })

  test('no worker process crashed or left an unhandled rejection', () => {
    expect(row.problems).toEqual([])
  })
})
