import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export interface PackedProject {
  dir: string
  /** Runs a script file's source in the project with Node and returns its stdout. */
  run(fileName: string, source: string): string
  remove(): void
}

/** The workspace root: the nearest folder up from the working directory with pnpm-workspace.yaml. */
function findRepoRoot(start = process.cwd()): string {
  let dir = start
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`No pnpm-workspace.yaml above ${start}`)
    dir = parent
  }
  return dir
}

/** `pnpm pack`s the given workspace packages (paths relative to the repo root) into a temp folder. */
export function packPackages(packageDirs: readonly string[], destination: string): string[] {
  return packageDirs.map((packageDir) => {
    const before = new Set(readdirSync(destination))
    execFileSync('pnpm', ['pack', '--pack-destination', destination], {
      cwd: join(findRepoRoot(), packageDir),
      stdio: 'pipe',
    })
    const created = readdirSync(destination).find((name) => name.endsWith('.tgz') && !before.has(name))
    if (!created) throw new Error(`pnpm pack produced no tarball for ${packageDir}`)
    return join(destination, created)
  })
}

/**
 * Makes a fresh npm project of the given module type, installs the tarballs (and any extra
 * registry packages) into it, as a user would.
 */
export function createPackedProject(
  type: 'commonjs' | 'module',
  tarballs: readonly string[],
  extraPackages: readonly string[] = [],
): PackedProject {
  const dir = mkdtempSync(join(tmpdir(), `rediware-${type}-`))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `smoke-${type}`, private: true, type }, null, 2))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...extraPackages], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 240_000,
  })
  return {
    dir,
    run(fileName, source) {
      writeFileSync(join(dir, fileName), source)
      return execFileSync(process.execPath, [fileName], { cwd: dir, encoding: 'utf8', timeout: 30_000 })
    },
    remove() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface TarballSmokeTest {
  /** Workspace package folders to pack and install together, e.g. ['packages/redis', 'packages/cache']. */
  packages: readonly string[]
  /** The import lines in each module flavour; `smoke` follows them and prints one line. */
  imports: { commonjs: string; module: string }
  smoke: string
  /** What the smoke script must print. */
  expected: string
  /** Further checks in the installed CommonJS project (a CLI, say). */
  inCommonjsProject?: (project: PackedProject) => void
}

/**
 * Packs the packages, installs the tarballs into a fresh CommonJS and a fresh ESM project as a user
 * would, and runs the smoke script in each.
 */
export function describeInstalledTarballs(title: string, test: TarballSmokeTest): void {
  describe(`${title} as an installed tarball`, () => {
    let tarballDir = ''
    let tarballs: string[] = []
    const projects: PackedProject[] = []

    beforeAll(() => {
      tarballDir = mkdtempSync(join(tmpdir(), 'rediware-pack-'))
      tarballs = packPackages(test.packages, tarballDir)
    }, 120_000)

    afterAll(() => {
      for (const project of projects) project.remove()
      rmSync(tarballDir, { recursive: true, force: true })
    })

    it('is required from a plain CommonJS project', () => {
      const project = createPackedProject('commonjs', tarballs)
      projects.push(project)
      expect(project.run('index.js', `${test.imports.commonjs}\n${test.smoke}`).trim()).toBe(test.expected)
      test.inCommonjsProject?.(project)
    }, 240_000)

    it('is imported from a plain ESM project', () => {
      const project = createPackedProject('module', tarballs)
      projects.push(project)
      expect(project.run('index.mjs', `${test.imports.module}\n${test.smoke}`).trim()).toBe(test.expected)
    }, 240_000)
  })
}
