import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { rows } from './rows.js'

const packagesDir = join(__dirname, '../../../packages')

interface Manifest {
  name: string
  engines?: { node?: string }
  peerDependencies?: Record<string, string>
}

const manifests = readdirSync(packagesDir).map(
  (name) => JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as Manifest,
)

describe('what the packages promise is what install-smoke runs', () => {
  const testedMajors = [...new Set(rows.flatMap((row) => row.nodes))].sort((a, b) => a - b)

  it.each(manifests.map((manifest) => [manifest.name, manifest] as const))(
    '%s: engines.node names exactly the Node majors tested',
    (_name, manifest) => {
      expect(manifest.engines?.node).toBe(testedMajors.map((major) => `^${major}.0.0`).join(' || '))
    },
  )

  it.each(
    manifests
      .filter((manifest) => manifest.peerDependencies?.ioredis)
      .map((manifest) => [manifest.name, manifest] as const),
  )('%s: the ioredis peer range is ioredis 5 and 6, both installed by a row', (_name, manifest) => {
    expect(manifest.peerDependencies?.ioredis).toBe('^5.4.0 || ^6.0.0')
    const installed = rows
      .flatMap((row) => row.install)
      .filter((name) => name === 'ioredis' || name.startsWith('ioredis@'))
    expect(installed).toEqual(expect.arrayContaining(['ioredis', 'ioredis@5']))
  })
})
