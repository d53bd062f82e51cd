import { join } from 'node:path'
import { expectedReadmes, expectedReports, loadRuns } from '../src/readme/files.js'
import { renderSection } from '../src/readme/render.js'
import { readmeSections } from '../src/readme/sections.js'

const repoRoot = join(__dirname, '../..')
const runs = loadRuns(join(repoRoot, 'bench/results'))

describe('pnpm bench:readme', () => {
  it('has committed results to generate from', () => {
    expect(runs.length).toBeGreaterThan(0)
  })

  it('renders the same text every time, whatever order the results files come in', () => {
    const reversed = [...runs].reverse()
    for (const section of readmeSections) {
      const text = renderSection(section, runs)
      expect(renderSection(section, runs)).toBe(text)
      expect(renderSection(section, reversed)).toBe(text)
    }
  })

  it('the README benchmark sections are its output for the committed results (run pnpm bench:readme)', () => {
    for (const { file, current, expected } of expectedReadmes(repoRoot, runs)) {
      expect({ file, text: current }).toEqual({ file, text: expected })
    }
  })

  it('each run report is what its JSON renders', () => {
    for (const { file, current, expected } of expectedReports(join(repoRoot, 'bench/results'), runs)) {
      expect({ file, text: current }).toEqual({ file, text: expected })
    }
  })
})
