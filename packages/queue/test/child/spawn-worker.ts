import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { ENV, requireEnv, type TestBackend } from '@rediware/test-utils'
import type { ChildConfig } from './worker.js'

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'start'; id: string; attempt: number }
  | { type: 'completed'; id: string }
  | { type: 'lost'; id: string }

export interface ChildWorker {
  readonly process: ChildProcess
  readonly messages: ChildMessage[]
  kill(): Promise<void>
}

const packageDir = join(__dirname, '..', '..')
const children = new Set<ChildProcess>()

/** Where a child process reaches the backend under test. */
export function childAddress(backend: TestBackend): Pick<ChildConfig, 'backend' | 'address' | 'token'> {
  if (backend.name === 'ioredis') return { backend: 'ioredis', address: requireEnv(ENV.redisUrl) }
  if (backend.name === 'cluster') return { backend: 'cluster', address: requireEnv(ENV.clusterNodes) }
  if (backend.name === 'upstash')
    return { backend: 'upstash', address: requireEnv(ENV.upstashUrl), token: requireEnv(ENV.upstashToken) }
  throw new Error('the memory backend cannot be shared with another process')
}

/** Starts a worker process (tsx, from the sources) and resolves once it is ready. */
export function spawnWorker(config: ChildConfig): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'worker.ts'), JSON.stringify(config)], {
    cwd: packageDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(packageDir, 'tsconfig.json') },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  const messages: ChildMessage[] = []
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process not ready in 30 s:\n${stderr}`)), 30_000)
    child.on('message', (message: ChildMessage) => {
      messages.push(message)
      if (message.type === 'ready') {
        clearTimeout(timer)
        resolve({
          process: child,
          messages,
          kill: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done()
              child.once('exit', () => done())
              child.kill('SIGKILL')
            }),
        })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`worker process exited early (code ${code}):\n${stderr}`))
    })
  })
}

export function killAllChildren(): void {
  for (const child of children) child.kill('SIGKILL')
}
