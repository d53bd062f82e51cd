import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(__dirname, '../../..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

/** The first command line of the ```sh block after `heading` in the root README. */
function readmeCommand(heading: string): string {
  const readme = read('README.md')
  const start = readme.indexOf(heading)
  if (start < 0) throw new Error(`README.md no longer says "${heading}"`)
  const block = /```sh\n([^\n]+)\n```/.exec(readme.slice(start))
  if (!block?.[1]) throw new Error(`No sh block after "${heading}" in README.md`)
  return block[1].trim()
}

/** The last command .ci/run runs. */
function ciCommand(): string {
  const lines = read('.ci/run')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  return lines[lines.length - 1] ?? ''
}

const pinnedPnpm = (JSON.parse(read('package.json')) as { packageManager: string }).packageManager

describe("README's two commands", () => {
  const test = readmeCommand('Run the whole test suite')
  const start = readmeCommand('Start the example app')

  it('are what .ci/run runs, word for word', () => {
    expect(ciCommand()).toBe(test)
  })

  it('need only Node and npm: pnpm comes through npx, pinned to packageManager', () => {
    const npxPnpm = `npx --yes ${pinnedPnpm}`
    expect(test).toBe(`${npxPnpm} install --frozen-lockfile && ${npxPnpm} test`)
    expect(start).toBe(`${npxPnpm} install --frozen-lockfile && ${npxPnpm} start`)
    expect(read('.ci/run')).not.toMatch(/npm (install|i) (-g|--global)|corepack/)
  })
})
