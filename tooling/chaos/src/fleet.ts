import type { ChildProcess } from 'node:child_process'
import { dirname } from 'node:path'
import { spawnChaosChild, waitExit } from './child-process.js'
import { isAppMessage } from './messages.js'

export interface FleetEvents {
  unhandledRejections: number
  uncaughtExceptions: number
  serverErrors: number
  /** Exits the runner did not ask for. */
  crashes: number
  /** First few details of the above, for the report. */
  details: string[]
}

export interface Fleet {
  readonly ports: readonly number[]
  readonly events: FleetEvents
  /** Returns the counters so far and starts new ones. */
  takeEvents(): FleetEvents
  stop(): Promise<void>
}

const emptyEvents = (): FleetEvents => ({
  unhandledRejections: 0,
  uncaughtExceptions: 0,
  serverErrors: 0,
  crashes: 0,
  details: [],
})

/**
 * Starts `count` app processes (`entry`, run by tsx) with `env`, each on its own free port, and
 * resolves once all are listening. Each child exits when its IPC channel closes, so a runner that
 * dies leaves none behind.
 */
export async function startFleet(
  entry: string,
  count: number,
  env: NodeJS.ProcessEnv,
  readyTimeout = 60_000,
): Promise<Fleet> {
  let events = emptyEvents()
  let stopping = false
  const children: ChildProcess[] = []
  const note = (kind: keyof Omit<FleetEvents, 'details'>, detail: string) => {
    events[kind] += 1
    if (events.details.length < 5) events.details.push(`${kind}: ${detail.slice(0, 500)}`)
  }
  const startOne = (index: number) =>
    new Promise<number>((resolve, reject) => {
      const { process: child, stderr } = spawnChaosChild(entry, dirname(dirname(entry)), env)
      children.push(child)
      const timer = setTimeout(
        () => reject(new Error(`app process ${index} not ready after ${readyTimeout} ms:\n${stderr()}`)),
        readyTimeout,
      )
      child.on('message', (message: unknown) => {
        if (!isAppMessage(message)) return
        if (message.type === 'ready') {
          clearTimeout(timer)
          resolve(message.port)
        } else note(message.type === 'serverError' ? 'serverErrors' : `${message.type}s`, message.detail)
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        if (stopping) return
        note('crashes', `process ${index} exited (code ${code}, signal ${signal}): ${stderr().slice(-1000)}`)
        reject(new Error(`app process ${index} exited during startup (code ${code}):\n${stderr()}`))
      })
    })
  const stop = async () => {
    stopping = true
    await Promise.all(
      children.map((child) => {
        const exited = waitExit(child, 3000)
        if (child.connected) child.disconnect()
        return exited
      }),
    )
  }
  try {
    const ports = await Promise.all(Array.from({ length: count }, (_, index) => startOne(index)))
    return {
      ports,
      get events() {
        return events
      },
      takeEvents() {
        const taken = events
        events = emptyEvents()
        return taken
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
