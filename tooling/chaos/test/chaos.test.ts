import { join } from 'node:path'
import { chaosBackendNames } from '../src/backends.js'
import { faults } from '../src/faults.js'
import { markdownTable } from '../src/report.js'
import { type ChaosRow, runChaos } from '../src/run.js'
import { shortRun } from '../src/settings.js'

// The short chaos run (`pnpm chaos` with the short settings): every fault over every backend it
// applies to, 4 app processes (the built packages: `pnpm build` first) under load.
const combos = chaosBackendNames.flatMap((backend) =>
  faults.filter((fault) => fault.appliesTo.includes(backend)).map((fault) => ({ backend, fault: fault.name })),
)
let rows: ChaosRow[] = []

beforeAll(async () => {
  const started = Date.now()
  rows = await runChaos({ entry: join(__dirname, '..', 'src', 'app-process.ts'), settings: shortRun })
  console.log(
    `${markdownTable(rows, shortRun)}\n\n[chaos] short run: ${rows.length} runs in ${Math.round((Date.now() - started) / 1000)} s`,
  )
}, 420_000)

describe.each(combos)('$backend × $fault', ({ backend, fault }) => {
  const row = (): ChaosRow => {
    const found = rows.find((each) => each.backend === backend && each.fault === fault)
    if (found === undefined) throw new Error(`no result for ${backend} × ${fault}: the run stopped before it`)
    return found
  }

  test('load kept flowing: requests sent, none hung past the deadline', () => {
    expect(row().load.sent).toBeGreaterThan(0)
    expect(row().load.hung).toBe(0)
    expect(row().load.statuses.reset ?? 0).toBe(0)
    expect(row().load.slowestMs).toBeLessThan(shortRun.deadlineMs)
  })

  test('no app process crashed; no unhandled rejection, uncaught exception or error of the middleware', () => {
    const { crashes, unhandledRejections, uncaughtExceptions, serverErrors } = row()
    expect({ crashes, unhandledRejections, uncaughtExceptions, serverErrors }).toEqual({
      crashes: 0,
      unhandledRejections: 0,
      uncaughtExceptions: 0,
      serverErrors: 0,
    })
  })

  test('after recovery: exact limit across the 4 processes, cache hits, every earlier session intact', () => {
    expect(row().recoveryMs).toBeGreaterThanOrEqual(0)
    expect(row().admitted).toBe(shortRun.probeLimit)
    expect(row().cacheHits).toBe(true)
    expect(row().sessionsChecked).toBeGreaterThan(0)
    expect(row().lostSessions).toEqual([])
    expect(row().sessionsLost).toBe(0)
  })

  test('after recovery: a session logged out on one process while all 4 write to it stays dead on all 4', () => {
    expect(row().logoutsChecked).toBe(4)
    expect(row().logoutsRevived).toBe(0)
  })
})
