import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackedProject, type PackedProject, packPackages } from '@rediware/test-utils'

const smoke = `
  const c = createCache({ redis: memoryClient() })
  c.getOrSet('k', () => 'v', { ttl: '1 m' }).then((value) => {
    console.log([typeof cache, typeof c.route({ ttl: '1 m' }), value].join(','))
  })
`

// Built output (pnpm build runs before the tests): the tarballs as a user installs them.
describe('@rediware/cache as an installed tarball', () => {
  let tarballDir: string
  let tarballs: string[]
  const projects: PackedProject[] = []

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-cache-pack-'))
    tarballs = packPackages(['packages/redis', 'packages/cache'], tarballDir)
  })

  afterAll(() => {
    for (const project of projects) project.remove()
    rmSync(tarballDir, { recursive: true, force: true })
  })

  it('is required from CommonJS and imported from ESM', () => {
    const cjs = createPackedProject('commonjs', tarballs)
    projects.push(cjs)
    const required = cjs.run(
      'index.js',
      `const { cache, createCache } = require('@rediware/cache')\nconst { memoryClient } = require('@rediware/redis')\n${smoke}`,
    )
    expect(required.trim()).toBe('function,function,v')
    const esm = createPackedProject('module', tarballs)
    projects.push(esm)
    const imported = esm.run(
      'index.mjs',
      `import { cache, createCache } from '@rediware/cache'\nimport { memoryClient } from '@rediware/redis'\n${smoke}`,
    )
    expect(imported.trim()).toBe('function,function,v')
  }, 120_000)
})
