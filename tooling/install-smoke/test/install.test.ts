import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packPackages } from '@rediware/test-utils'
import { expectedOutput, type Flavour, smokeSource } from './smoke-app.js'

const publishable = ['packages/redis', 'packages/rate-limit', 'packages/cache', 'packages/session', 'packages/upstash-local']

const expressVersions = {
  express4: { express: 'express@4.22.3', types: '@types/express@4.17.25' },
  express5: { express: 'express@5.3.0', types: '@types/express@5.0.6' },
} as const

const tsconfig = {
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
  include: ['index.ts'],
}

function npmInstall(dir: string, packages: readonly string[]): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], { cwd: dir, stdio: 'pipe', timeout: 300_000 })
}

describe('every package installed from its tarball, as a user would', () => {
  let tarballDir: string
  let tarballs: string[] = []
  const projects: string[] = []

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-install-'))
    tarballs = packPackages(publishable, tarballDir)
  }, 120_000)

  afterAll(() => {
    for (const dir of [...projects, tarballDir]) rmSync(dir, { recursive: true, force: true })
  })

  const flavours: Flavour[] = ['commonjs', 'module', 'typescript']
  for (const [versionName, versions] of Object.entries(expressVersions)) {
    for (const flavour of flavours) {
      it(`works in a fresh ${flavour} project on ${versionName}`, () => {
        const dir = mkdtempSync(join(tmpdir(), `rediware-${flavour}-${versionName}-`))
        projects.push(dir)
        const type = flavour === 'commonjs' ? 'commonjs' : 'module'
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `smoke-${flavour}`, private: true, type }))
        const typescript = flavour === 'typescript' ? ['typescript@5.9.3', versions.types, '@types/supertest@6.0.3', '@types/node@20.19.43', '@types/express-session@1.18.2', 'tsx@4.21.0'] : []
        npmInstall(dir, [...tarballs, versions.express, 'supertest@7.3.2', ...typescript])
        const file = flavour === 'typescript' ? 'index.ts' : flavour === 'module' ? 'index.mjs' : 'index.js'
        writeFileSync(join(dir, file), smokeSource(flavour))
        if (flavour === 'typescript') {
          writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
          execFileSync(join(dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: dir, stdio: 'pipe' })
        }
        const command = flavour === 'typescript' ? [join(dir, 'node_modules/.bin/tsx'), file] : [process.execPath, file]
        const [program = process.execPath, ...args] = command
        const output = execFileSync(program, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 })
        expect(JSON.parse(output.trim().split('\n').pop() ?? '{}')).toEqual(expectedOutput)
      }, 360_000)
    }
  }
})
