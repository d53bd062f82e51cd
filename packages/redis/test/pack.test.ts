import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackedProject, packPackages, type PackedProject } from '@rediware/test-utils'

const smoke = `
  const client = memoryClient()
  client.set('k', 'v').then(() => client.get('k')).then((value) => {
    console.log([typeof createClient, typeof fromIoredis, typeof fromUpstash, typeof toClient, value].join(','))
  })
`

describe('@rediware/redis as an installed tarball', () => {
  let tarballDir: string
  let tarball: string
  const projects: PackedProject[] = []

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-pack-'))
    ;[tarball = ''] = packPackages(['packages/redis'], tarballDir)
  })

  afterAll(() => {
    for (const project of projects) project.remove()
    rmSync(tarballDir, { recursive: true, force: true })
  })

  it('is required from a plain CommonJS project', () => {
    const project = createPackedProject('commonjs', [tarball])
    projects.push(project)
    const output = project.run(
      'index.js',
      `const { memoryClient, createClient, fromIoredis, fromUpstash, toClient } = require('@rediware/redis')\n${smoke}`,
    )
    expect(output.trim()).toBe('function,function,function,function,v')
  })

  it('is imported from a plain ESM project', () => {
    const project = createPackedProject('module', [tarball])
    projects.push(project)
    const output = project.run(
      'index.mjs',
      `import { memoryClient, createClient, fromIoredis, fromUpstash, toClient } from '@rediware/redis'\n${smoke}`,
    )
    expect(output.trim()).toBe('function,function,function,function,v')
  })
})
