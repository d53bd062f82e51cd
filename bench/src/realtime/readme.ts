import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { replaceSection } from '../readme/render.js'
import type { ReadmeSection } from '../readme/sections.js'
import { renderRealtimeBody, renderRealtimeReport } from './report.js'
import { parseRealtimeResults, type RealtimeResults } from './results.js'

/** The README region generated from bench/results/realtime.json. */
export const realtimeSection: ReadmeSection = {
  file: 'packages/realtime/README.md',
  marker: 'realtime-bench',
  groups: [],
}

/** The results file the README shows: the default `--out` of `pnpm --filter @rediware/bench realtime`. */
export const realtimeResultsName = 'realtime'

const noResults =
  'No benchmark results yet: run `pnpm build && pnpm --filter @rediware/bench realtime`, then `pnpm bench:readme`.'

export function renderRealtimeSection(results: RealtimeResults | undefined): string {
  return results ? renderRealtimeBody(results) : noResults
}

export function loadRealtimeResults(resultsDir: string, name = realtimeResultsName): RealtimeResults | undefined {
  const file = join(resultsDir, `${name}.json`)
  return existsSync(file) ? parseRealtimeResults(readFileSync(file, 'utf8')) : undefined
}

/** The realtime README and report (bench/results/realtime.md), as they are and as the JSON renders them. */
export function expectedRealtimeFiles(repoRoot: string): { file: string; current: string; expected: string }[] {
  const results = loadRealtimeResults(join(repoRoot, 'bench/results'))
  const readme = readFileSync(join(repoRoot, realtimeSection.file), 'utf8')
  const files = [
    {
      file: realtimeSection.file,
      current: readme,
      expected: replaceSection(readme, realtimeSection, renderRealtimeSection(results)),
    },
  ]
  if (results) {
    const report = `bench/results/${realtimeResultsName}.md`
    const path = join(repoRoot, report)
    files.push({
      file: report,
      current: existsSync(path) ? readFileSync(path, 'utf8') : '',
      expected: renderRealtimeReport(results),
    })
  }
  return files
}
