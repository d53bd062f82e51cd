import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ENV, requireEnv } from '@rediware/test-utils'

// 500 concurrent requests spread over 4 server processes sharing one Redis admit exactly `limit`.
// The package (with @rediware/redis from source) is bundled into node_modules/.cache so the children
// run the real code under plain Node, resolving express and ioredis from this package.
const packageDir = join(__dirname, '..')
const cacheDir = join(packageDir, 'node_modules', '.cache', 'rl-multiprocess')
const children: ChildProcess[] = []

const config = `export default {
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  outDir: ${JSON.stringify(cacheDir)},
  tsconfig: 'tsconfig.json',
  noExternal: ['@rediware/redis'],
  external: ['ioredis', '@upstash/redis'],
  target: 'node20',
  dts: false,
  silent: true,
}
`

const server = `
import express from 'express'
import { Redis } from 'ioredis'
import { rateLimit } from './index.js'
const [url, algorithm, prefix] = process.argv.slice(2)
const redis = new Redis(url, { maxRetriesPerRequest: 1 })
const app = express()
app.get('/', rateLimit({ redis, algorithm, prefix, limit: 100, window: '1 h', key: () => 'shared', timeout: 5000 }), (req, res) => {
  res.send(req.rateLimit.source)
})
const listener = app.listen(0, '127.0.0.1', () => process.stdout.write(listener.address().port + '\\n'))
`

function startChild(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [join(cacheDir, 'server.mjs'), ...args], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const line = output.split('\n')[0]
      if (output.includes('\n') && line) resolve(Number(line))
    })
    child.once('exit', (code) => reject(new Error(`server exited early with code ${code}`)))
  })
}

beforeAll(() => {
  mkdirSync(cacheDir, { recursive: true })
  const configFile = join(cacheDir, '..', 'rl-multiprocess.tsup.config.mjs')
  writeFileSync(configFile, config)
  execFileSync(join(packageDir, 'node_modules', '.bin', 'tsup'), ['--config', configFile], {
    cwd: packageDir,
    stdio: 'pipe',
  })
  writeFileSync(join(cacheDir, 'server.mjs'), server)
}, 60_000)

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

test.each(['fixed-window', 'sliding-window', 'token-bucket', 'sliding-log'])(
  '%s: 500 requests over 4 processes, limit 100 → exactly 100 admitted',
  async (algorithm) => {
    const url = requireEnv(ENV.redisUrl)
    const prefix = `mp:${algorithm}:${Date.now()}:`
    const ports = await Promise.all([0, 1, 2, 3].map(() => startChild([url, algorithm, prefix])))
    const statuses = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        fetch(`http://127.0.0.1:${ports[index % 4]}/`).then(async (res) => [res.status, await res.text()] as const),
      ),
    )
    const admitted = statuses.filter(([status]) => status === 200)
    expect(admitted).toHaveLength(100)
    expect(new Set(admitted.map(([, source]) => source))).toEqual(new Set(['redis']))
    expect(statuses.filter(([status]) => status === 429)).toHaveLength(400)
  },
)
