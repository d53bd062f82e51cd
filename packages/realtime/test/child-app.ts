import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The package (with @rediware/redis from source) is bundled into node_modules/.cache so that child
// processes run the real code under plain Node, resolving express, ioredis and @upstash/redis from
// this package.
const packageDir = join(__dirname, '..')
const cacheDir = join(packageDir, 'node_modules', '.cache', 'rt-multiprocess')

const config = `export default {
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  outDir: ${JSON.stringify(cacheDir)},
  tsconfig: 'tsconfig.json',
  noExternal: ['@rediware/redis'],
  external: ['ioredis', '@upstash/redis', 'express'],
  target: 'node20',
  dts: false,
  silent: true,
}
`

/** An app process: /events streams (403 for 'secret'), POST /publish/:channel, GET /stats (after a GC). */
const server = `
import express from 'express'
import { Cluster, Redis } from 'ioredis'
import { Redis as Upstash } from '@upstash/redis'
import { createRealtime } from './index.js'
const [backend, address, token, prefix, optionsJson] = process.argv.slice(2)
const nodes = () => address.split(',').map((entry) => ({ host: entry.split(':')[0], port: Number(entry.split(':')[1]) }))
const redis =
  backend === 'cluster' ? new Cluster(nodes(), { redisOptions: { maxRetriesPerRequest: 1 } })
  : backend === 'upstash' ? new Upstash({ url: address, token, enableTelemetry: false })
  : new Redis(address, { maxRetriesPerRequest: 1 })
const rt = createRealtime({ redis, prefix, timeout: '5 s', onError: () => {}, ...JSON.parse(optionsJson) })
const app = express()
app.get('/events', rt.sse({
  channels: (req) => String(req.query.channels ?? 'news').split(','),
  authorize: (req, channel) => channel !== 'secret',
}))
app.post('/publish/:channel', express.json({ limit: '20mb' }), async (req, res) => {
  try {
    res.json({ id: await rt.publish(req.params.channel, req.body) })
  } catch (error) {
    res.status(503).json({ error: error.message, code: error.code })
  }
})
app.get('/stats', async (req, res) => {
  // Two full collections a turn apart: Buffers are released by the first one's weak callbacks.
  globalThis.gc?.()
  await new Promise((resolve) => setImmediate(resolve))
  globalThis.gc?.()
  const memory = process.memoryUsage()
  res.json({ ...rt.stats(), rss: memory.rss, heap: memory.heapUsed, external: memory.external })
})
const listener = app.listen(0, '127.0.0.1', () => process.stdout.write(listener.address().port + '\\n'))
`

/** Bundles the package and writes the app script (once per test file). */
export function buildChildApp(): void {
  mkdirSync(cacheDir, { recursive: true })
  const configFile = join(cacheDir, '..', 'rt-multiprocess.tsup.config.mjs')
  writeFileSync(configFile, config)
  execFileSync(join(packageDir, 'node_modules', '.bin', 'tsup'), ['--config', configFile], {
    cwd: packageDir,
    stdio: 'pipe',
  })
  writeFileSync(join(cacheDir, 'server.mjs'), server)
}

export interface ChildApp {
  readonly base: string
  readonly process: ChildProcess
  publish(
    channel: string,
    event: { type: string; data: unknown },
  ): Promise<{ status: number; id?: string; code?: string }>
  stats(): Promise<{
    connections: number
    channels: number
    listeners: number
    rss: number
    heap: number
    external: number
  }>
  kill(): void
}

export interface ChildBackend {
  kind: 'ioredis' | 'cluster' | 'upstash'
  address: string
  token?: string
}

export function startChildApp(
  backend: ChildBackend,
  prefix: string,
  options: Record<string, unknown> = {},
): Promise<ChildApp> {
  const args = [
    join(cacheDir, 'server.mjs'),
    backend.kind,
    backend.address,
    backend.token ?? '-',
    prefix,
    JSON.stringify(options),
  ]
  // A fixed mmap threshold: glibc otherwise raises it after large frees, and freed event buffers then stay
  // in the heap arena, so RSS would show allocator history rather than what the process still holds.
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: String(128 * 1024) }
  const child = spawn(process.execPath, ['--expose-gc', ...args], {
    cwd: packageDir,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const line = output.split('\n')[0]
      if (!output.includes('\n') || !line) return
      const base = `http://127.0.0.1:${Number(line)}`
      resolve({
        base,
        process: child,
        publish: async (channel, event) => {
          const response = await fetch(`${base}/publish/${encodeURIComponent(channel)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(event),
          })
          return { status: response.status, ...((await response.json()) as { id?: string; code?: string }) }
        },
        stats: async () => (await (await fetch(`${base}/stats`)).json()) as Awaited<ReturnType<ChildApp['stats']>>,
        kill: () => {
          child.kill('SIGKILL')
        },
      })
    })
    child.once('exit', (code) => reject(new Error(`the app process exited early with code ${code}`)))
  })
}
