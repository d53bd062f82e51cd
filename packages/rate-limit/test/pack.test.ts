import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPackedProject, packPackages, type PackedProject } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first (or run `pnpm --filter @rediware/rate-limit build`).
const smoke = `
  const limiter = rateLimit({ redis: memoryClient(), algorithm: 'fixed-window', limit: 2, window: '1 m' })
  const res = { headers: {}, statusCode: 200, setHeader(n, v) { this.headers[n.toLowerCase()] = v }, getHeader(n) { return this.headers[n.toLowerCase()] },
    hasHeader(n) { return n.toLowerCase() in this.headers }, headersSent: false, once() {} }
  const req = { ip: '::ffff:10.0.0.1', headers: {}, app: { get: () => false }, socket: {} }
  limiter(req, res, (error) => {
    console.log([typeof rateLimit, typeof ipKey, typeof upstashCompat, req.rateLimit.key, res.headers['ratelimit'], error === undefined].join('|'))
  })
`
const expected = 'function|function|function|10.0.0.1|"default";r=1;t=60|true'

describe('@rediware/rate-limit as an installed tarball', () => {
  let tarballDir: string
  let tarballs: string[] = []
  const projects: PackedProject[] = []

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-rl-pack-'))
    tarballs = packPackages(['packages/redis', 'packages/rate-limit'], tarballDir)
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
      `const { memoryClient } = require('@rediware/redis')\nconst { rateLimit, ipKey, upstashCompat } = require('@rediware/rate-limit')\n${smoke}`,
    )
    expect(output.trim()).toBe(expected)
  }, 120_000)

  it('is imported from a plain ESM project', () => {
    const project = createPackedProject('module', tarballs)
    projects.push(project)
    const output = project.run(
      'index.mjs',
      `import { memoryClient } from '@rediware/redis'\nimport { rateLimit, ipKey, upstashCompat } from '@rediware/rate-limit'\n${smoke}`,
    )
    expect(output.trim()).toBe(expected)
  }, 120_000)
})
