import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Program } from './programs.js'

export type Resolution = 'node16' | 'bundler'

/** What `tsc --init` turns on, with the module settings of each resolution. */
const compilerOptions = (resolution: Resolution, outDir: string) => ({
  target: 'es2022',
  lib: ['es2023'],
  module: resolution === 'node16' ? 'node16' : 'esnext',
  moduleResolution: resolution,
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  moduleDetection: 'force',
  skipLibCheck: true,
  outDir,
  noEmit: resolution !== 'node16',
})

export interface Diagnostic {
  /** `README.md:12` when the error is in a README line, else the program file and line. */
  where: string
  message: string
}

/**
 * A tsconfig over every README's folder at once, for a second compiler: one program for all READMEs is
 * much faster, at the price of sharing module augmentations between READMEs.
 */
export function writeCombinedConfig(folder: string, resolution: Resolution, readmeFolders: readonly string[]): string {
  const name = `tsconfig.all.${resolution}.json`
  const tsconfig = {
    compilerOptions: { ...compilerOptions(resolution, 'dist'), noEmit: true },
    include: readmeFolders.map((readme) => `${readme}/*.ts`),
  }
  writeFileSync(join(folder, name), JSON.stringify(tsconfig, null, 2))
  return name
}

/** Writes the programs into `folder` (created afresh) with a tsconfig per resolution. */
export function writePrograms(folder: string, programs: readonly Program[]): void {
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  for (const program of programs) writeFileSync(join(folder, program.file), program.source)
  for (const resolution of ['node16', 'bundler'] as const) {
    const tsconfig = {
      compilerOptions: compilerOptions(resolution, 'dist'),
      include: programs.map((program) => program.file),
    }
    writeFileSync(join(folder, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig, null, 2))
  }
}

const diagnosticLine = /^(.+?\.ts)\((\d+),(\d+)\): error (TS\d+: .*)$/

export interface ReadmePrograms {
  /** The README's path, e.g. `packages/cache/README.md`. */
  file: string
  programs: readonly Program[]
}

/** Turns tsc's `--pretty false` output into diagnostics that point at README lines. */
export function parseDiagnostics(output: string, readmes: readonly ReadmePrograms[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  for (const line of output.split('\n')) {
    const match = diagnosticLine.exec(line)
    if (match) {
      const [, file = '', lineText = '0', column = '0', message = ''] = match
      const readme = readmes.find((candidate) => candidate.programs.some((program) => file.endsWith(program.file)))
      const program = readme?.programs.find((candidate) => file.endsWith(candidate.file))
      const readmeLine = program?.lineMap[Number(lineText) - 1]
      const where =
        readme === undefined || readmeLine === undefined
          ? `${file}:${lineText}:${column} (hidden prelude)`
          : `${readme.file}:${readmeLine}:${column}`
      diagnostics.push({ where, message })
    } else if (line.trim() !== '' && diagnostics.length > 0) {
      const last = diagnostics[diagnostics.length - 1]
      if (last) last.message += `\n${line}`
    } else if (line.trim() !== '') {
      diagnostics.push({ where: 'tsc', message: line })
    }
  }
  return diagnostics
}

/** Runs `tsc -p <config>` in the folder; resolves with its output (errors are output, not a rejection). */
export function runTsc(tsc: string, folder: string, config: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      tsc,
      ['-p', config, '--pretty', 'false'],
      { cwd: folder, encoding: 'utf8', timeout: 120_000 },
      (error, stdout, stderr) => {
        // tsc exits non-zero when it reports errors: that is output. Anything else (not found, killed) is a failure.
        if (error && typeof error.code !== 'number') reject(error)
        else resolve(`${stdout}${stderr}`)
      },
    )
  })
}
