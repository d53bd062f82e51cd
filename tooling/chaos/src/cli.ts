// `pnpm chaos [--long] [--suite app,queue,realtime] [--backend ioredis,cluster,upstash] [--fault kill-restart,...] [--out file.md]`
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type ChaosBackendName, chaosBackendNames } from './backends.js'
import { type FaultName, faults } from './faults.js'
import { markdownTable, rowPasses } from './report.js'
import { queueMarkdownTable, queueRowPasses, type QueueChaosRow, runQueueChaos } from './queue/run.js'
import { realtimeMarkdownTable, type RealtimeChaosRow, realtimeRowPasses, runRealtimeChaos } from './realtime/run.js'
import { runChaos } from './run.js'
import { longRun, queueLongRun, queueShortRun, realtimeLongRun, realtimeShortRun, shortRun } from './settings.js'

function list<T extends string>(raw: string | undefined, allowed: readonly T[], option: string): T[] | undefined {
  if (raw === undefined) return undefined
  const items = raw.split(',').map((item) => item.trim())
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item))
  if (unknown.length > 0)
    throw new RangeError(`--${option}: unknown ${unknown.join(', ')}; choose from ${allowed.join(', ')}.`)
  return items as T[]
}

const { values } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    suite: { type: 'string' },
    backend: { type: 'string' },
    fault: { type: 'string' },
    out: { type: 'string' },
  },
})
// process.exit runs the 'exit' hooks that SIGKILL every redis-server this run started; the app
// processes exit when their IPC channel closes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const settings = values.long ? longRun : shortRun
const suites = list(values.suite, ['app', 'queue', 'realtime'] as const, 'suite') ?? ['app', 'queue', 'realtime']
const backends = list<ChaosBackendName>(values.backend, chaosBackendNames, 'backend')
const started = Date.now()
const failures: string[] = []
const tables: string[] = []
if (suites.includes('app')) {
  const rows = await runChaos({
    entry: join(dirname(fileURLToPath(import.meta.url)), 'app-process.ts'),
    settings,
    backends,
    faults: list<FaultName>(
      values.fault,
      faults.map((fault) => fault.name),
      'fault',
    ),
    log: (line) => console.error(line),
  })
  tables.push(markdownTable(rows, settings))
  failures.push(...rows.filter((row) => !rowPasses(row)).map((row) => `${row.backend} × ${row.fault}`))
}
if (suites.includes('queue')) {
  const queueRows: QueueChaosRow[] = []
  for (const backend of backends ?? chaosBackendNames) {
    queueRows.push(
      await runQueueChaos(
        backend,
        values.long ? queueLongRun : queueShortRun,
        join(dirname(fileURLToPath(import.meta.url)), 'queue', 'worker-process.ts'),
        (line) => console.error(line),
      ),
    )
  }
  tables.push(queueMarkdownTable(queueRows))
  failures.push(
    ...queueRows
      .filter((row) => !queueRowPasses(row))
      .map((row) => `queue × ${row.backend}: ${row.problems.join('; ')}`),
  )
}
if (suites.includes('realtime')) {
  const realtimeRows: RealtimeChaosRow[] = []
  for (const backend of backends ?? chaosBackendNames) {
    realtimeRows.push(
      await runRealtimeChaos(
        backend,
        values.long ? realtimeLongRun : realtimeShortRun,
        join(dirname(fileURLToPath(import.meta.url)), 'realtime', 'app-process.ts'),
        (line) => console.error(line),
      ),
    )
  }
  tables.push(realtimeMarkdownTable(realtimeRows))
  failures.push(
    ...realtimeRows
      .filter((row) => !realtimeRowPasses(row))
      .map(
        (row) =>
          `realtime × ${row.backend}: missed ${row.missed}, duplicated ${row.duplicated}, out of order ${row.outOfOrder}, resets ${row.resets}; ${row.problems.join('; ')}`,
      ),
  )
}
const table = tables.join('\n\n')
console.log(`${table}\n\n${Math.round((Date.now() - started) / 1000)} s (${values.long ? 'long' : 'short'} settings).`)
if (values.out !== undefined) writeFileSync(values.out, `${table}\n`)
if (failures.length > 0) {
  console.error(`[chaos] ${failures.length} run(s) did not meet the bar: ${failures.join(', ')}`)
  process.exitCode = 1
}
