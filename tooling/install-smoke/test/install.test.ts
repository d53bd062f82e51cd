import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ENV, packPackages, requireEnv } from '@rediware/test-utils'
import { type InstallRow, type NodeMajor, rows } from './rows.js'
import { expectedOutput, type Flavour, smokeSource } from './smoke-app.js'

const run = promisify(execFile)

const publishable = ['redis', 'rate-limit', 'cache', 'session', 'queue', 'realtime', 'upstash-local'].map(
  (name) => `packages/${name}`,
)

const files: Record<Flavour, string> = { commonjs: 'index.cjs', module: 'index.mjs', typescript: 'index.ts' }

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: ['node'],
  },
  include: ['index.ts', 'shims.d.ts'],
}

/** ioredis 6's declarations import `redis-errors`, which ships no types; with skipLibCheck off a
 * user needs this line too (README "Supported versions"). */
const shims = "declare module 'redis-errors'\n"

const currentMajor = Number(process.versions.node.split('.')[0])

/** This Node when it is the wanted major, else that major from npm (`npx -p node@N node`). */
const nodeCommand = (major: NodeMajor): [string, ...string[]] =>
  major === currentMajor ? [process.execPath] : ['npx', '--yes', '-p', `node@${major}`, 'node']

const smokeEnv = () => ({
  ...process.env,
  SMOKE_REDIS_URL: requireEnv(ENV.redisUrl),
  SMOKE_UPSTASH_URL: requireEnv(ENV.upstashUrl),
  SMOKE_UPSTASH_TOKEN: requireEnv(ENV.upstashToken),
})

interface Installed {
  dir: string
  seconds: number
}

/** A fresh folder and a plain `npm install <tarballs> <row.install>`, as a user would type it. */
async function install(row: InstallRow, tarballs: readonly string[]): Promise<Installed> {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'rediware-smoke-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'smoke-app', private: true, type: 'module' }))
  await run('npm', ['install', ...tarballs, ...row.install], { cwd: dir, timeout: 600_000 })
  for (const flavour of row.flavours) writeFileSync(join(dir, files[flavour]), smokeSource(flavour))
  if (row.flavours.includes('typescript')) {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
    writeFileSync(join(dir, 'shims.d.ts'), shims)
  }
  return { dir, seconds: (Date.now() - started) / 1000 }
}

describe('our tarballs installed with npm beside the clients, as a user would', () => {
  const started = Date.now()
  let tarballDir = ''
  const installs = new Map<InstallRow, Promise<Installed>>()

  beforeAll(() => {
    tarballDir = mkdtempSync(join(tmpdir(), 'rediware-tarballs-'))
    const tarballs = packPackages(publishable, tarballDir)
    for (const row of rows) {
      const installed = install(row, tarballs)
      installed.catch(() => undefined) // reported by the row's own tests
      installs.set(row, installed)
    }
    // Fetch the other Node majors while npm installs.
    const majors = new Set(rows.flatMap((row) => row.nodes).filter((major) => major !== currentMajor))
    return Promise.all(
      [...majors].map((major) => run(...commandWith(nodeCommand(major), ['--version']), { timeout: 600_000 })),
    )
  }, 600_000)

  afterAll(async () => {
    const settled = await Promise.allSettled(installs.values())
    const seconds = settled.map((result) =>
      result.status === 'fulfilled' ? result.value.seconds.toFixed(0) : 'failed',
    )
    console.info(
      `install-smoke: ${rows.length} installs (${seconds.join(' s, ')} s, in parallel), ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    )
    for (const result of settled)
      if (result.status === 'fulfilled') rmSync(result.value.dir, { recursive: true, force: true })
    rmSync(tarballDir, { recursive: true, force: true })
  })

  for (const row of rows) {
    describe(row.title, () => {
      it('installs with plain `npm install`', async () => {
        await expect(installs.get(row)).resolves.toMatchObject({ dir: expect.any(String) })
      }, 600_000)

      it('gets the client versions asked for: npm latest for a bare name, not one our peer ranges force down', async () => {
        const { dir } = await installOf(installs, row)
        for (const spec of row.install.filter((name) => clients.includes(packageName(name)))) {
          const name = packageName(spec)
          const installed = readVersion(dir, name)
          // A bare name must get npm's latest; `name@N` (a major) must get that major.
          if (spec === name) expect(`${name}@${installed}`).toBe(`${name}@${await latestVersion(name)}`)
          else expect(`${name}@${installed.split('.')[0]}`).toBe(spec)
        }
      }, 600_000)

      if (row.flavours.includes('typescript')) {
        it('type-checks under strict NodeNext', async () => {
          const { dir } = await installOf(installs, row)
          const tsc = spawnSync(join(dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], {
            cwd: dir,
            encoding: 'utf8',
          })
          expect(`${tsc.stdout}${tsc.stderr}`).toBe('')
          expect(tsc.status).toBe(0)
        }, 600_000)
      }

      for (const major of row.nodes) {
        // The TypeScript flavour is about types: it runs on the row's first Node only.
        for (const flavour of row.flavours.filter((name) => name !== 'typescript' || major === row.nodes[0])) {
          it(`runs as ${flavour} on Node ${major} over memory, ioredis, node-redis and @upstash/redis`, async () => {
            const { dir } = await installOf(installs, row)
            const file = files[flavour]
            const args = flavour === 'typescript' ? ['--import', 'tsx', file] : [file]
            const { stdout } = await run(...commandWith(nodeCommand(major), args), {
              cwd: dir,
              env: smokeEnv(),
              timeout: 120_000,
            })
            const output: unknown = JSON.parse(stdout.trim().split('\n').pop() ?? '{}')
            expect(output).toEqual(expectedOutput(major, ['memory', 'ioredis', 'node-redis', 'upstash']))
          }, 600_000)
        }
      }
    })
  }
})

/** The clients a user installs beside our packages, whose versions a row is about. */
const clients = ['express', 'ioredis', 'redis', '@upstash/redis', 'express-session']

const packageName = (spec: string): string => {
  const at = spec.indexOf('@', 1)
  return at < 0 ? spec : spec.slice(0, at)
}

const readVersion = (dir: string, name: string): string =>
  (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version

async function latestVersion(name: string): Promise<string> {
  const { stdout } = await run('npm', ['view', name, 'version'], { timeout: 60_000 })
  return stdout.trim()
}

function commandWith(command: [string, ...string[]], args: readonly string[]): [string, string[]] {
  const [program, ...rest] = command
  return [program, [...rest, ...args]]
}

function installOf(installs: Map<InstallRow, Promise<Installed>>, row: InstallRow): Promise<Installed> {
  const installed = installs.get(row)
  if (!installed) throw new Error(`No install for ${row.title}`)
  return installed
}
