import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface ProjectSpec {
  /** Folder name prefix, e.g. `express5`. */
  name: string
  /** What `npm install` gets besides the tarballs: bare names (npm's `latest`) or `name@range`. */
  packages: readonly string[]
}

/**
 * The cache key: the tarballs' bytes, what else is installed, and the day, so that a bare name
 * follows npm's `latest` at most a day late.
 */
export function projectKey(
  tarballs: readonly string[],
  spec: ProjectSpec,
  day = new Date().toISOString().slice(0, 10),
): string {
  const hash = createHash('sha256')
  for (const tarball of [...tarballs].sort()) hash.update(readFileSync(tarball))
  hash.update(JSON.stringify([spec.packages, day]))
  return `${spec.name}-${hash.digest('hex').slice(0, 16)}`
}

/**
 * A fresh ESM npm project with the tarballs and the spec's packages installed by plain `npm install`,
 * as a user would; reused from `cacheRoot` while its key holds. Returns the project folder.
 */
export function installedProject(
  cacheRoot: string,
  tarballs: readonly string[],
  spec: ProjectSpec,
): { dir: string; cached: boolean } {
  const key = projectKey(tarballs, spec)
  const dir = join(cacheRoot, key)
  if (existsSync(join(dir, '.installed'))) return { dir, cached: true }
  mkdirSync(cacheRoot, { recursive: true })
  for (const stale of readdirSync(cacheRoot).filter((entry) => entry.startsWith(`${spec.name}-`) && entry !== key)) {
    rmSync(join(cacheRoot, stale), { recursive: true, force: true })
  }
  // Installed beside the final folder and renamed into place, so an interrupted install is never reused.
  const building = `${dir}.partial-${process.pid}`
  mkdirSync(building, { recursive: true })
  writeFileSync(
    join(building, 'package.json'),
    JSON.stringify({ name: `readme-${spec.name}`, private: true, type: 'module' }, null, 2),
  )
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...spec.packages], {
    cwd: building,
    stdio: 'pipe',
    timeout: 300_000,
  })
  writeFileSync(join(building, '.installed'), `${new Date().toISOString()}\n`)
  rmSync(dir, { recursive: true, force: true })
  renameSync(building, dir)
  return { dir, cached: false }
}
