// One chaos app process. Spawned by fleet.ts with an IPC channel; reports readiness, 5xx and any
// unhandled rejection or uncaught exception to the runner, and exits when the runner goes away.
import type { AddressInfo } from 'node:net'
import { createClient } from '@rediware/redis'
import { createChaosApp } from './app.js'
import type { AppMessage } from './messages.js'

function send(message: AppMessage): void {
  if (process.send) process.send(message)
  else process.stderr.write(`${JSON.stringify(message)}\n`)
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error))

process.on('unhandledRejection', (reason) => send({ type: 'unhandledRejection', detail: describe(reason) }))
process.on('uncaughtException', (error) => {
  send({ type: 'uncaughtException', detail: describe(error) })
  // An uncaught exception leaves the process in an unknown state: crash, as Node would.
  setImmediate(() => process.exit(70))
})
process.on('disconnect', () => process.exit(0))

const timeout = Number(process.env.CHAOS_REDIS_TIMEOUT ?? 0)
const redis = createClient(process.env, timeout > 0 ? { timeout } : {})
const app = createChaosApp({
  redis,
  prefix: process.env.CHAOS_PREFIX ?? 'chaos:',
  probeLimit: Number(process.env.CHAOS_PROBE_LIMIT ?? 10),
  selfTest: process.env.CHAOS_SELF_TEST === '1',
  onServerError: (error, outcome) => send({ type: 'serverError', detail: `${outcome}: ${describe(error)}` }),
})
const server = app.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
})
