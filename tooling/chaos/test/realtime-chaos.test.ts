import { join } from 'node:path'
import { chaosBackendNames } from '../src/backends.js'
import { type RealtimeChaosRow, realtimeMarkdownTable, runRealtimeChaos } from '../src/realtime/run.js'
import { realtimeShortRun } from '../src/settings.js'

// The short realtime chaos run (`pnpm chaos --suite realtime`; `--long` for 4 apps and 40 readers):
// 2 app processes (the built packages: `pnpm build` first) stream to 8 resuming SSE readers while
// Redis is killed and restarted and an app process is SIGKILLed and replaced.
describe.each(chaosBackendNames)('realtime chaos over %s', (backend) => {
  let row: RealtimeChaosRow
  beforeAll(async () => {
    row = await runRealtimeChaos(
      backend,
      realtimeShortRun,
      join(__dirname, '..', 'src', 'realtime', 'app-process.ts'),
      (line) => console.log(line),
    )
    console.log(realtimeMarkdownTable([row]))
  }, 180_000)

  test('every event whose publish resolved reached every reader once, in order, without a reset', () => {
    expect(row.published).toBeGreaterThan(0)
    expect({ missed: row.missed, duplicated: row.duplicated, outOfOrder: row.outOfOrder, resets: row.resets }).toEqual({
      missed: 0,
      duplicated: 0,
      outOfOrder: 0,
      resets: 0,
    })
  })

  test('both faults happened and the readers reconnected', () => {
    expect(row.faults).toHaveLength(2)
    expect(row.reconnects).toBeGreaterThan(0)
  })

  test('no app process crashed or left an unhandled rejection', () => {
    expect(row.problems).toEqual([])
  })
})
