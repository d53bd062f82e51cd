import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderReport } from '../report.js'
import { parseRunResults } from '../results.js'
import type { NamedRun } from './render.js'
import { renderSection, replaceSection } from './render.js'
import { readmeSections } from './sections.js'

/** Every run in bench/results/*.json, in file-name order (the rendering sorts them itself). */
export function loadRuns(resultsDir: string): NamedRun[] {
  return readdirSync(resultsDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const run = parseRunResults(readFileSync(join(resultsDir, file), 'utf8'), file)
      return run ? [{ name: file.slice(0, -'.json'.length), run }] : []
    })
}

/** Each README the generator owns, with its current text and the text it should have. */
export function expectedReadmes(
  repoRoot: string,
  runs: readonly NamedRun[],
): { file: string; current: string; expected: string }[] {
  const files = [...new Set(readmeSections.map((s) => s.file))]
  return files.map((file) => {
    const current = readFileSync(join(repoRoot, file), 'utf8')
    const expected = readmeSections
      .filter((s) => s.file === file)
      .reduce((text, section) => replaceSection(text, section, renderSection(section, runs)), current)
    return { file, current, expected }
  })
}

/** Each run's report (bench/results/NAME.md), as it is and as its JSON renders it today. */
export function expectedReports(
  resultsDir: string,
  runs: readonly NamedRun[],
): { file: string; current: string; expected: string }[] {
  return runs.map(({ name, run }) => {
    const file = join(resultsDir, `${name}.md`)
    return { file, current: existsSync(file) ? readFileSync(file, 'utf8') : '', expected: renderReport(run, name) }
  })
}
