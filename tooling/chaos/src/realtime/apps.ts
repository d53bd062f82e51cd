import { dirname } from 'node:path'
import { ChaosChildren, killChild } from '../child-process.js'
import { isAppMessage } from './messages.js'

export interface AppProcess {
  readonly index: number
  readonly url: string
  /** SIGKILL; resolves once it exited. */
  kill(): Promise<void>
}

/** Starts realtime app processes (app-process.ts under tsx, against the built packages); problems go to `onProblem`. */
export class AppFleet {
  readonly #children: ChaosChildren
  readonly #onProblem: (detail: string) => void

  constructor(entry: string, env: NodeJS.ProcessEnv, onProblem: (detail: string) => void) {
    this.#children = new ChaosChildren(entry, dirname(dirname(dirname(entry))), env)
    this.#onProblem = onProblem
  }

  start(): Promise<AppProcess> {
    const { index, process: child, stderr } = this.#children.start()
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
        clearTimeout(timer)
        if (signal !== 'SIGKILL' && !this.#children.stopping)
          this.#onProblem(`app ${index} exited (code ${code}, signal ${signal}): ${stderr().slice(-800)}`)
        reject(new Error(`realtime app ${index} exited`))
      })
    })
  }

  async stop(): Promise<void> {
    for (const child of this.#children.stopAll()) {
      if (child.connected) child.disconnect()
      child.kill('SIGKILL')
    }
  }
}
