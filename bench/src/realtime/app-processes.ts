import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Pinning, pinnedCommand } from '../pinning.js'
import type { ContenderId } from './contenders.js'
import type { FromApp, ToApp } from './protocol.js'

const here = dirname(fileURLToPath(import.meta.url))

/** One running app process, seen from the load process. */
export interface AppProcess {
  port: number
  pid: number
  send(message: ToApp): void
  /** CPU time (user + system, µs) the process has used so far and its RSS after a full GC. */
  usage(): Promise<{ cpuMicros: number; rssBytes: number }>
  /** Publishes that rejected in the app (a deadline, a closed connection), by sequence number. */
  failedPublishes: number[]
  stop(): Promise<void>
}

let nextRequestId = 0

/** Starts one app process for `id`, on the app CPU when pinned, and waits until it listens. */
export async function startAppProcess(id: ContenderId, redisUrl: string, pinning: Pinning): Promise<AppProcess> {
  // taskset execs node, so the pid is the app's with or without pinning.
  const [command, args] = pinnedCommand(pinning, pinning.appCpus, process.execPath, [
    '--expose-gc',
    '--import',
    'tsx',
    join(here, 'app-process.ts'),
    id,
    redisUrl,
  ])
  const child: ChildProcess = spawn(command, args, {
    cwd: join(here, '..', '..'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map<number, (usage: { cpuMicros: number; rssBytes: number }) => void>()
  const failedPublishes: number[] = []
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: FromApp) => {
      if (message.type === 'ready') resolve(message.port)
      else if (message.type === 'usage') waiting.get(message.id)?.(message)
      else failedPublishes.push(message.n)
    })
    child.once('exit', (code) => reject(new Error(`${id} app process exited with ${code} before listening`)))
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`${id} app process has no pid`)
  return {
    port,
    pid,
    failedPublishes,
    send: (message) => child.send(message),
    usage() {
      const requestId = nextRequestId++
      return new Promise((resolve) => {
        waiting.set(requestId, (usage) => {
          waiting.delete(requestId)
          resolve(usage)
        })
        child.send({ type: 'usage', id: requestId } satisfies ToApp)
      })
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send({ type: 'close' } satisfies ToApp)
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** The summed CPU time and RSS of several app processes. */
export async function totalUsage(apps: readonly AppProcess[]): Promise<{ cpuMicros: number; rssBytes: number }> {
  const usages = await Promise.all(apps.map((app) => app.usage()))
  return usages.reduce((sum, usage) => ({
    cpuMicros: sum.cpuMicros + usage.cpuMicros,
    rssBytes: sum.rssBytes + usage.rssBytes,
  }))
}
