import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ENV, packPackages, requireEnv } from '@rediware/test-utils'
import {
  assertBuilt,
  buildPrograms,
  type Diagnostic,
  extractSnippets,
  installedProject,
  listReadmes,
  type Program,
  type ProjectSpec,
  parseDiagnostics,
  type Resolution,
  readmeName,
  runProgram,
  runTsc,
  writeCombinedConfig,
  writePrograms,
} from '../src/index.js'

const root = resolve(__dirname, '../../..')
const packageDirs = ['redis', 'rate-limit', 'cache', 'session', 'queue', 'realtime', 'upstash-local'].map(
  (name) => `packages/${name}`,
)
// Peers and types by bare name, as a user installs them today; Express pinned to a major only.
const common = [
  'ioredis',
  'redis',
  '@upstash/redis',
  '@upstash/ratelimit',
  'express-session',
  '@types/express-session',
  '@types/node',
  'typescript',
]
const projects: ProjectSpec[] = [
  { name: 'express4', packages: ['express@4', '@types/express@4', ...common] },
  { name: 'express5', packages: ['express@5', '@types/express@5', ...common] },
]
const resolutions: Resolution[] = ['node16', 'bundler']
const cacheRoot = join(__dirname, '../node_modules/.cache/projects')
/** The repo's own TypeScript (5.x), besides the `latest` one installed in each project. */
const workspaceTsc = join(root, 'node_modules/.bin/tsc')

const readmes = listReadmes(root).map((file) => {
  const name = readmeName(file)
  return { file, name, programs: buildPrograms(name, extractSnippets(readFileSync(join(root, file), 'utf8'))) }
})

const format = (diagnostics: readonly Diagnostic[]): string[] =>
  diagnostics.map(({ where, message }) => `${where} ${message}`)

describe('every README snippet, against the packed packages', () => {
  const folders = new Map<string, string>()
  const diagnostics = new Map<string, Diagnostic[]>()
  let tarballDir = ''

  beforeAll(async () => {
    assertBuilt(root, packageDirs)
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-readme-pack-'))
    const tarballs = packPackages(packageDirs, tarballDir)
    for (const spec of projects) {
      const { dir } = installedProject(cacheRoot, tarballs, spec)
      for (const readme of readmes) {
        if (readme.programs.length === 0) continue
        const folder = join(dir, 'readmes', readme.name)
        writePrograms(folder, readme.programs)
        folders.set(`${spec.name}/${readme.name}`, folder)
        for (const resolution of resolutions) {
          const output = await runTsc(join(dir, 'node_modules/.bin/tsc'), folder, `tsconfig.${resolution}.json`)
          diagnostics.set(`${spec.name}/${readme.name}/${resolution}`, parseDiagnostics(output, [readme]))
        }
      }
      const checked = readmes.filter((readme) => readme.programs.length > 0)
      const config = writeCombinedConfig(
        join(dir, 'readmes'),
        'node16',
        checked.map((readme) => readme.name),
      )
      const output = await runTsc(workspaceTsc, join(dir, 'readmes'), config)
      diagnostics.set(`${spec.name}/workspace-tsc`, parseDiagnostics(output, checked))
    }
  }, 600_000)

  afterAll(() => {
    if (tarballDir !== '') rmSync(tarballDir, { recursive: true, force: true })
  })

  it('finds the READMEs and their ts blocks', () => {
    expect(readmes.map((readme) => readme.file)).toEqual(
      expect.arrayContaining(['README.md', 'packages/redis/README.md', 'examples/express-app/README.md']),
    )
    expect(readmes.flatMap((readme) => readme.programs).length).toBeGreaterThan(10)
  })

  for (const spec of projects) {
    it(`every README type-checks on ${spec.name} with the repo's TypeScript 5 too (node16, one program)`, () => {
      expect(
        format(diagnostics.get(`${spec.name}/workspace-tsc`) ?? [{ where: 'test', message: 'not checked' }]),
      ).toEqual([])
    })
    for (const readme of readmes.filter((candidate) => candidate.programs.length > 0)) {
      for (const resolution of resolutions) {
        it(`${readme.file} type-checks on ${spec.name} with moduleResolution ${resolution}`, () => {
          expect(
            format(
              diagnostics.get(`${spec.name}/${readme.name}/${resolution}`) ?? [
                { where: 'test', message: 'not checked' },
              ],
            ),
          ).toEqual([])
        })
      }
      for (const program of readme.programs.filter((candidate: Program) => candidate.run)) {
        it(`${readme.file} quick start (line ${program.lines[0]}) runs on ${spec.name}`, async () => {
          const folder = folders.get(`${spec.name}/${readme.name}`)
          if (folder === undefined) throw new Error('not compiled')
          const env = {
            PATH: process.env.PATH,
            REDIS_URL: requireEnv(ENV.redisUrl),
            SESSION_SECRET: 'readme-session-secret-that-is-long-enough-0123456789',
          }
          const result = await runProgram(folder, `dist/${program.file.replace(/\.ts$/, '.js')}`, env, program)
          expect(result.failures).toEqual([])
        }, 60_000)
      }
    }
  }
})
