import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '../../..')

/**
 * The release steps of CONTRIBUTING.md on a clean clone of the committed tree (a clone, so
 * uncommitted changes of a developer's checkout are not what is tested): `pnpm -r publish --dry-run`
 * builds and packs every public package, and `pnpm changeset version` bumps versions, writes
 * changelogs and bumps the packages that depend on a bumped one.
 */
describe('the release flow on a clean clone', () => {
  let dir = ''
  const run = (command: string, args: readonly string[]) =>
    execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: 'pipe', timeout: 600_000 })

  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'rediware-release-')), 'repo')
    execFileSync('git', ['clone', '--quiet', root, dir], { stdio: 'pipe' })
    // CI checks out main; a clone of a feature branch is published from main the same way.
    run('git', ['checkout', '--quiet', '-B', 'main'])
    run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'])
  }, 600_000)

  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }))

  it('pnpm -r publish --dry-run builds and packs every public package without errors', () => {
    const output = run('pnpm', ['-r', 'publish', '--dry-run'])
    for (const name of ['redis', 'rate-limit', 'cache', 'session', 'queue', 'realtime', 'upstash-local']) {
      expect(output).toContain(`Skip publishing @rediware/${name}@`)
    }
  }, 600_000)

  it('pnpm changeset version bumps a package, its dependents, and writes their changelogs', () => {
    const version = (name: string) =>
      (JSON.parse(readFileSync(join(dir, 'packages', name, 'package.json'), 'utf8')) as { version: string }).version
    const before = { redis: version('redis'), cache: version('cache') }
    writeFileSync(
      join(dir, '.changeset', 'release-flow-test.md'),
      '---\n"@rediware/redis": minor\n---\n\nA release-flow test change.\n',
    )
    run('pnpm', ['changeset', 'version'])
    expect(version('redis')).not.toBe(before.redis)
    expect(version('cache')).not.toBe(before.cache)
    expect(readFileSync(join(dir, 'packages/redis/CHANGELOG.md'), 'utf8')).toContain('A release-flow test change.')
    expect(readFileSync(join(dir, 'packages/cache/CHANGELOG.md'), 'utf8')).toContain(
      `@rediware/redis@${version('redis')}`,
    )
  }, 120_000)
})
