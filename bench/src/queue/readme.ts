import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { replaceSection } from '../readme/render.js'
import type { ReadmeSection } from '../readme/sections.js'
import { parseQueueResults, renderQueueBody, renderQueueReport } from './report.js'

/** The README region generated from bench/results/queue.json. */
export const queueSection: ReadmeSection = { file: 'packages/queue/README.md', marker: 'queue-bench', groups: [] }

const noResults =
  'No benchmark results yet: run `pnpm build && pnpm --filter @rediware/bench queue`, then `pnpm bench:readme`.'

/** The queue README and report (bench/results/queue.md), as they are and as the JSON renders them. */
export function expectedQueueFiles(repoRoot: string): { file: string; current: string; expected: string }[] {
  const resultsFile = join(repoRoot, 'bench/results/queue.json')
  const run = existsSync(resultsFile) ? parseQueueResults(readFileSync(resultsFile, 'utf8')) : undefined
  const readme = readFileSync(join(repoRoot, queueSection.file), 'utf8')
  const files = [
    {
      file: queueSection.file,
      current: readme,
      expected: replaceSection(readme, queueSection, run ? renderQueueBody(run) : noResults),
    },
  ]
  if (run) {
    const report = join(repoRoot, 'bench/results/queue.md')
    files.push({
      file: 'bench/results/queue.md',
      current: existsSync(report) ? readFileSync(report, 'utf8') : '',
      expected: renderQueueReport(run),
    })
  }
  return files
}
