// One app process of the realtime chaos run: an Express app streaming the channel `chaos` at
// /events over the built @rediware/realtime (tsconfig.app.json), on the backend in its environment.
// Spawned by apps.ts with an IPC channel; reports its port, then problems. Exits when the runner goes away.
import type { AddressInfo } from 'node:net'
import { createClient } from '@rediware/redis'
import { createRealtime } from '@rediware/realtime'
import express from 'express'
import type { AppMessage } from './messages.js'

const send = (message: AppMessage) => process.send?.(message)
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error))

process.on('unhandledRejection', (reason) =>
  send({ type: 'problem', detail: `unhandledRejection: ${describe(reason)}` }),
)
process.on('uncaughtException', (error) => {
  send({ type: 'problem', detail: `uncaughtException: ${describe(error)}` })
  setImmediate(() => process.exit(70))
})
process.on('disconnect', () => process.exit(0))

const timeout = Number(process.env.CHAOS_REDIS_TIMEOUT ?? 0)
const rt = createRealtime({
  redis: createClient(process.env, timeout > 0 ? { timeout } : {}),
  prefix: process.env.CHAOS_PREFIX ?? 'rtchaos:',
  history: { maxLen: Number(process.env.CHAOS_HISTORY ?? 100_000), ttl: '1 h' },
  heartbeat: 1000,
  warn: () => undefined,
  onError: () => undefined,
})
const app = express()
app.get('/events', rt.sse({ channels: ['chaos'] }))
const server = app.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }))
