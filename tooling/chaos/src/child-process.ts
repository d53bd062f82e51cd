import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

export interface ChaosChild {
  readonly process: ChildProcess
  /** The tail of what the child wrote to stderr, for reports. */
  stderr(): string
}

/**
 * Runs `entry` under tsx from `chaosDir` (tooling/chaos) with an IPC channel. The child runs the
 * built packages (`pnpm build`), not the sources being edited: see tsconfig.app.json.
 */
export function spawnChaosChild(entry: string, chaosDir: string, env: NodeJS.ProcessEnv): ChaosChild {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: chaosDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: join(chaosDir, 'tsconfig.app.json'), ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  return { process: child, stderr: () => stderr }
}

/** The children a runner starts from one entry: numbered from 0 and tracked until they exit. */
export class ChaosChildren {
  readonly #entry: string
  readonly #chaosDir: string
  readonly #env: NodeJS.ProcessEnv
  readonly #running = new Set<ChildProcess>()
  #next = 0
  #stopping = false

  constructor(entry: string, chaosDir: string, env: NodeJS.ProcessEnv) {
    this.#entry = entry
    this.#chaosDir = chaosDir
    this.#env = env
  }

  /** True once `stopAll()` was called: exits from then on were asked for, not crashes. */
  get stopping(): boolean {
    return this.#stopping
  }

  start(): ChaosChild & { readonly index: number } {
    const child = spawnChaosChild(this.#entry, this.#chaosDir, this.#env)
    this.#running.add(child.process)
    child.process.once('exit', () => this.#running.delete(child.process))
    return { ...child, index: this.#next++ }
  }

  /** Marks every exit from now on as asked for; returns the children still running. */
  stopAll(): ChildProcess[] {
    this.#stopping = true
    return [...this.#running]
  }
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

/** SIGKILL; resolves once the child exited. */
export function killChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (exited(child)) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/** Resolves once the child exited; SIGKILLs it if it is still running after `graceMs`. */
export function waitExit(child: ChildProcess, graceMs: number): Promise<void> {
  if (exited(child)) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
