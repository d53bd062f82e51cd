import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackedProject, packPackages, type PackedProject } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
const expected = 'function|function'

describe('@rediware/upstash-local as an installed tarball', () => {
  let tarballDir: string
  let tarball = ''
  const projects: PackedProject[] = []

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-upstash-pack-'))
    ;[tarball = ''] = packPackages(['packages/upstash-local'], tarballDir)
  }, 120_000)

  afterAll(() => {
    for (const project of projects) project.remove()
    rmSync(tarballDir, { recursive: true, force: true })
  })

  it('is required from a plain CommonJS project, and its CLI runs', () => {
    const project = createPackedProject('commonjs', [tarball])
    projects.push(project)
    const output = project.run(
      'index.js',
      `const { startUpstashLocal, stripUpstashFlags } = require('@rediware/upstash-local')\nconsole.log([typeof startUpstashLocal, typeof stripUpstashFlags].join('|'))`,
    )
    expect(output.trim()).toBe(expected)
    const help = execFileSync(join(project.dir, 'node_modules/.bin/upstash-local'), ['--help'], { encoding: 'utf8' })
    expect(help).toMatch(/--redis/)
    expect(help).toMatch(/--token/)
  }, 240_000)

  it('is imported from a plain ESM project', () => {
    const project = createPackedProject('module', [tarball])
    projects.push(project)
    const output = project.run(
      'index.mjs',
      `import { startUpstashLocal, stripUpstashFlags } from '@rediware/upstash-local'\nconsole.log([typeof startUpstashLocal, typeof stripUpstashFlags].join('|'))`,
    )
    expect(output.trim()).toBe(expected)
  }, 240_000)
})
