// One chaos app process. Spawned by fleet.ts with an IPC channel; reports readiness, 5xx and any
// unhandled rejection or uncaught exception to the runner, and exits when the runner goes away.
import type { AddressInfo } from 'node:net'
import { createChaosApp } from './app.js'
import { chaosRedisClient, describeError, reportFailuresToRunner } from './child-runtime.js'
import type { AppMessage } from './messages.js'

function send(message: AppMessage): void {
  if (process.send) process.send(message)
  else process.stderr.write(`${JSON.stringify(message)}\n`)
}

reportFailuresToRunner((failure, detail) => send({ type: failure, detail }))

const app = createChaosApp({
  redis: chaosRedisClient(),
  prefix: process.env.CHAOS_PREFIX ?? 'chaos:',
  probeLimit: Number(process.env.CHAOS_PROBE_LIMIT ?? 10),
  selfTest: process.env.CHAOS_SELF_TEST === '1',
  onServerError: (error, outcome) => send({ type: 'serverError', detail: `${outcome}: ${describeError(error)}` }),
})
const server = app.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
})
