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
    execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: join(findRepoRoot(), packageDir), stdio: 'pipe' })
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
