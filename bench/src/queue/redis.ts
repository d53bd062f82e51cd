import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findFreePort, waitFor } from '@rediware/test-utils'
import { Redis } from 'ioredis'

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export const pinned = hasTaskset()

export interface BenchRedis {
  url: string
  port: number
  /** A plain connection for INFO, FLUSHALL and the like. */
  admin: Redis
  /** Redis CPU (user + sys) in µs so far. */
  cpuMicros(): Promise<number>
  stop(): Promise<void>
}

/**
 * A throw-away redis-server for one benchmark, pinned to core 1 with taskset where it exists (the
 * benchmark process runs on core 0; see package.json). Without taskset both share the cores.
 */
export async function startBenchRedis(core = 1): Promise<BenchRedis> {
  const port = await findFreePort('127.0.0.1')
  const dir = mkdtempSync(join(tmpdir(), 'rediware-bench-queue-'))
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]
  const child: ChildProcess = pinned
    ? spawn('taskset', ['-c', String(core), 'redis-server', ...args], { stdio: 'ignore' })
    : spawn('redis-server', args, { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 })
  // Refused connections until the server listens are expected: waitFor below retries them.
  admin.on('error', () => undefined)
  await waitFor(
    async () => {
      await admin.connect().catch(() => undefined)
      return (await admin.ping().catch(() => '')) === 'PONG'
    },
    { description: `redis-server on ${port}`, timeout: 10_000, interval: 50 },
  )
  return {
    url,
    port,
    admin,
    async cpuMicros() {
      const info = await admin.info('cpu')
      const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0)
      const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0)
      return (user + sys) * 1e6
    },
    async stop() {
      admin.disconnect()
      child.kill('SIGKILL')
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
