import { dirname } from 'node:path'
import { ChaosChildren, killChild, waitExit } from '../child-process.js'
import { isWorkerMessage, type WorkerMessage } from './messages.js'

export interface WorkerProcess {
  readonly index: number
  /** Jobs this process started and has not reported completed or lost. */
  readonly inFlight: Set<string>
  /** SIGKILL; resolves once it exited. Returns the jobs it had in flight. */
  kill(): Promise<string[]>
}

/**
 * Starts queue worker processes (worker-process.ts, run by tsx against the built packages) and
 * hands every message to `onMessage`. Each child exits when its IPC channel closes.
 */
export class WorkerFleet {
  readonly #children: ChaosChildren
  readonly #onMessage: (worker: WorkerProcess, message: WorkerMessage) => void

  /** `entry`: the path of worker-process.ts (callers know it: import.meta.url in the CLI, __dirname in jest). */
  constructor(
    entry: string,
    env: NodeJS.ProcessEnv,
    onMessage: (worker: WorkerProcess, message: WorkerMessage) => void,
  ) {
    this.#children = new ChaosChildren(entry, dirname(dirname(dirname(entry))), env)
    this.#onMessage = onMessage
  }

  start(): Promise<WorkerProcess> {
    const { index, process: child, stderr } = this.#children.start()
    const inFlight = new Set<string>()
    const worker: WorkerProcess = {
      index,
      inFlight,
      // What it had in flight is read once it exited and its last IPC messages were delivered: a
      // job it started just before the kill is then counted.
      kill: async () => {
        await killChild(child)
        return new Promise((resolve) => setImmediate(() => resolve([...inFlight])))
      },
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`queue worker ${index} not ready in 60 s:\n${stderr()}`)), 60_000)
      child.on('message', (message: unknown) => {
        if (!isWorkerMessage(message)) return
        if (message.type === 'ready') {
          clearTimeout(timer)
          resolve(worker)
        }
        if (message.type === 'start') inFlight.add(message.id)
        if (message.type === 'completed' || message.type === 'lost') inFlight.delete(message.id)
        this.#onMessage(worker, message)
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        if (signal !== 'SIGKILL' && !this.#children.stopping)
          this.#onMessage(worker, {
            type: 'problem',
            detail: `worker ${index} exited (code ${code}, signal ${signal}): ${stderr().slice(-800)}`,
          })
        reject(new Error(`queue worker ${index} exited`))
      })
    })
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.stopAll().map((child) => {
        const exited = waitExit(child, 3000)
        if (child.connected) child.disconnect()
        else child.kill('SIGKILL')
        return exited
      }),
    )
  }
}
