// `pnpm chaos [--long] [--backend ioredis,cluster,upstash] [--fault kill-restart,...] [--out file.md]`
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type ChaosBackendName, chaosBackendNames } from './backends.js'
import { type FaultName, faults } from './faults.js'
import { markdownTable, rowPasses } from './report.js'
import { runChaos } from './run.js'
import { longRun, shortRun } from './settings.js'

function list<T extends string>(raw: string | undefined, allowed: readonly T[], option: string): T[] | undefined {
  if (raw === undefined) return undefined
  const items = raw.split(',').map((item) => item.trim())
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item))
  if (unknown.length > 0) throw new RangeError(`--${option}: unknown ${unknown.join(', ')}; choose from ${allowed.join(', ')}.`)
  return items as T[]
}

const { values } = parseArgs({
  options: { long: { type: 'boolean', default: false }, backend: { type: 'string' }, fault: { type: 'string' }, out: { type: 'string' } },
})
// process.exit runs the 'exit' hooks that SIGKILL every redis-server this run started; the app
// processes exit when their IPC channel closes.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))
const settings = values.long ? longRun : shortRun
const started = Date.now()
const rows = await runChaos({
  entry: join(dirname(fileURLToPath(import.meta.url)), 'app-process.ts'),
  settings,
  backends: list<ChaosBackendName>(values.backend, chaosBackendNames, 'backend'),
  faults: list<FaultName>(values.fault, faults.map((fault) => fault.name), 'fault'),
  log: (line) => console.error(line),
})
const table = markdownTable(rows, settings)
console.log(`${table}\n\n${rows.length} runs in ${Math.round((Date.now() - started) / 1000)} s (${values.long ? 'long' : 'short'} settings).`)
if (values.out !== undefined) writeFileSync(values.out, `${table}\n`)
const failed = rows.filter((row) => !rowPasses(row))
if (failed.length > 0) {
  console.error(`[chaos] ${failed.length} run(s) did not meet the bar: ${failed.map((row) => `${row.backend} × ${row.fault}`).join(', ')}`)
  process.exitCode = 1
}
