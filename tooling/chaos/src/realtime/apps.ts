import type { ChildProcess } from 'node:child_process'
import { dirname } from 'node:path'
import { killChild, spawnChaosChild } from '../child-process.js'
import { isAppMessage } from './messages.js'

export interface AppProcess {
  readonly index: number
  readonly url: string
  /** SIGKILL; resolves once it exited. */
  kill(): Promise<void>
}

/** Starts realtime app processes (app-process.ts under tsx, against the built packages); problems go to `onProblem`. */
export class AppFleet {
  readonly #entry: string
  readonly #env: NodeJS.ProcessEnv
  readonly #onProblem: (detail: string) => void
  readonly #children = new Set<ChildProcess>()
  #next = 0
  #stopping = false

  constructor(entry: string, env: NodeJS.ProcessEnv, onProblem: (detail: string) => void) {
    this.#entry = entry
    this.#env = env
    this.#onProblem = onProblem
  }

  start(): Promise<AppProcess> {
    const index = this.#next++
    const { process: child, stderr } = spawnChaosChild(this.#entry, dirname(dirname(dirname(this.#entry))), this.#env)
    this.#children.add(child)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`realtime app ${index} not ready in 60 s:\n${stderr()}`)), 60_000)
      child.on('message', (message: unknown) => {
        if (!isAppMessage(message)) return
        if (message.type === 'problem') this.#onProblem(`app ${index}: ${message.detail}`)
        if (message.type !== 'ready') return
        clearTimeout(timer)
        resolve({
          index,
          url: `http://127.0.0.1:${message.port}`,
          kill: () => killChild(child),
        })
      })
      child.once('exit', (code, signal) => {
        this.#children.delete(child)
        clearTimeout(timer)
        if (signal !== 'SIGKILL' && !this.#stopping)
          this.#onProblem(`app ${index} exited (code ${code}, signal ${signal}): ${stderr().slice(-800)}`)
        reject(new Error(`realtime app ${index} exited`))
      })
    })
  }

  async stop(): Promise<void> {
    this.#stopping = true
    for (const child of this.#children) {
      if (child.connected) child.disconnect()
      child.kill('SIGKILL')
    }
  }
}
