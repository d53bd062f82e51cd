import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packPackages } from '@rediware/test-utils'

const root = join(__dirname, '../../..')
const bin = (name: string) => join(__dirname, '../node_modules/.bin', name)

/** Every packages/* whose package.json is not private. */
const publishable = readdirSync(join(root, 'packages'))
  .map((name) => join('packages', name))
  .filter((dir) => {
    const file = join(root, dir, 'package.json')
    return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { private?: boolean }).private !== true
  })

interface Manifest {
  name: string
  license?: string
  author?: string
  homepage?: string
  keywords?: string[]
  repository?: { type?: string; url?: string; directory?: string }
  bugs?: { url?: string }
  publishConfig?: { access?: string; provenance?: boolean }
  engines?: { node?: string }
  files?: string[]
}

/** The files a tarball holds, relative to its `package/` folder. */
function tarballFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''))
    .sort()
}

const tarballText = (tarball: string, path: string): string =>
  execFileSync('tar', ['-xzOf', tarball, `package/${path}`], { encoding: 'utf8' })

describe('the published shape of every package, checked on its packed tarball', () => {
  let dir = ''
  let tarballs: string[] = []

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rediware-package-check-'))
    tarballs = packPackages(publishable, dir)
  }, 180_000)

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('covers every public package', () => {
    expect(publishable.length).toBeGreaterThanOrEqual(5)
  })

  publishable.forEach((packageDir, index) => {
    describe(packageDir, () => {
      const tarball = () => tarballs[index] ?? ''

      it('publint reports nothing, not even a suggestion', () => {
        const result = spawnSync(bin('publint'), ['run', tarball(), '--level', 'suggestion', '--strict'], {
          encoding: 'utf8',
        })
        expect(`${result.stdout}${result.stderr}`).toContain('All good!')
        expect(result.status).toBe(0)
      }, 60_000)

      it('@arethetypeswrong/cli finds no problem for any entry point and resolution mode', () => {
        const result = spawnSync(bin('attw'), [tarball(), '--format', 'json'], { encoding: 'utf8' })
        const report = JSON.parse(result.stdout) as { problems: Record<string, unknown> | unknown[] }
        expect(report.problems).toEqual({})
      }, 60_000)

      it('ships dist, README, LICENSE and package.json only; no source maps; the root LICENSE', () => {
        const files = tarballFiles(tarball())
        expect(files.filter((file) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(file))).toEqual([])
        expect(files.filter((file) => file.endsWith('.map'))).toEqual([])
        expect(tarballText(tarball(), 'LICENSE')).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'))
      })

      it('has the metadata a well-kept npm package has', () => {
        const manifest = JSON.parse(tarballText(tarball(), 'package.json')) as Manifest
        expect(manifest.license).toBe('MIT')
        expect(manifest.author).toBeTruthy()
        expect(manifest.homepage).toMatch(new RegExp(`/tree/main/${packageDir}#readme$`))
        expect(manifest.repository).toEqual({
          type: 'git',
          url: expect.stringMatching(/^git\+https:\/\//),
          directory: packageDir,
        })
        expect(manifest.bugs?.url).toMatch(/^https:\/\//)
        expect(manifest.keywords?.length).toBeGreaterThan(2)
        expect(manifest.publishConfig).toEqual({ access: 'public', provenance: true })
        expect(manifest.engines?.node).toBe('^20.0.0 || ^22.0.0 || ^24.0.0') // the Node majors install-smoke runs
      })
    })
  })
})
