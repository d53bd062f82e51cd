import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackedProject, packPackages, type PackedProject } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
const smoke = `
  const store = new RedisStore({ redis: memoryClient() })
  const data = { cookie: { originalMaxAge: 60000, expires: new Date(Date.now() + 60000).toISOString() }, user: 'ada' }
  store.set('sid-1', data)
    .then(() => store.get('sid-1'))
    .then((session) => console.log([typeof session_, typeof rotateSession, session.user].join('|')))
`
const expected = 'function|function|ada'

describe('@rediware/session as an installed tarball', () => {
  let tarballDir: string
  let tarballs: string[] = []
  const projects: PackedProject[] = []

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-session-pack-'))
    tarballs = packPackages(['packages/redis', 'packages/session'], tarballDir)
  }, 120_000)

  afterAll(() => {
    for (const project of projects) project.remove()
    rmSync(tarballDir, { recursive: true, force: true })
  })

  it('is required from a plain CommonJS project', () => {
    const project = createPackedProject('commonjs', tarballs)
    projects.push(project)
    const output = project.run(
      'index.js',
      `const { memoryClient } = require('@rediware/redis')\nconst { RedisStore, rotateSession, session: session_ } = require('@rediware/session')\n${smoke}`,
    )
    expect(output.trim()).toBe(expected)
  }, 240_000)

  it('is imported from a plain ESM project', () => {
    const project = createPackedProject('module', tarballs)
    projects.push(project)
    const output = project.run(
      'index.mjs',
      `import { memoryClient } from '@rediware/redis'\nimport { RedisStore, rotateSession, session as session_ } from '@rediware/session'\n${smoke}`,
    )
    expect(output.trim()).toBe(expected)
  }, 240_000)
})
