import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expectedQueueFiles } from '../queue/readme.js'
import { expectedRealtimeFiles } from '../realtime/readme.js'
import { expectedReadmes, expectedReports, loadRuns } from './files.js'

/**
 * `pnpm bench:readme` writes the README benchmark sections and each run's report from
 * bench/results/*.json; `--check` only compares.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const check = process.argv.includes('--check')
const resultsDir = join(repoRoot, 'bench/results')
const runs = loadRuns(resultsDir)
const files = [
  ...expectedReadmes(repoRoot, runs),
  ...expectedReports(resultsDir, runs).map((r) => ({ ...r, file: r.file.slice(repoRoot.length + 1) })),
  ...expectedRealtimeFiles(repoRoot),
  ...expectedQueueFiles(repoRoot),
]
const stale = files.filter(({ current, expected }) => current !== expected)
if (check) {
  for (const { file } of stale)
    console.error(`${file}: benchmark section differs from bench/results (run pnpm bench:readme)`)
  process.exit(stale.length > 0 ? 1 : 0)
}
for (const { file, expected } of stale) writeFileSync(join(repoRoot, file), expected)
console.log(
  stale.length > 0 ? `Updated ${stale.map(({ file }) => file).join(', ')}` : 'README benchmark sections are up to date',
)
