import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expectedReadmes, loadRuns } from './files.js'

/** `pnpm bench:readme` writes the README benchmark sections from bench/results/*.json; `--check` only compares. */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const check = process.argv.includes('--check')
const readmes = expectedReadmes(repoRoot, loadRuns(join(repoRoot, 'bench/results')))
const stale = readmes.filter(({ current, expected }) => current !== expected)
if (check) {
  for (const { file } of stale) console.error(`${file}: benchmark section differs from bench/results (run pnpm bench:readme)`)
  process.exit(stale.length > 0 ? 1 : 0)
}
for (const { file, expected } of stale) writeFileSync(join(repoRoot, file), expected)
console.log(stale.length > 0 ? `Updated ${stale.map(({ file }) => file).join(', ')}` : 'README benchmark sections are up to date')
