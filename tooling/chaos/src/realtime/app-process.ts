// One app process of the realtime chaos run: an Express app streaming the channel `chaos` at
// /events over the built @rediware/realtime (tsconfig.app.json), on the backend in its environment.
// Spawned by apps.ts with an IPC channel; reports its port, then problems. Exits when the runner goes away.
import type { AddressInfo } from 'node:net'
import { createRealtime } from '@rediware/realtime'
import express from 'express'
import { chaosRedisClient, reportFailuresToRunner } from '../child-runtime.js'
import type { AppMessage } from './messages.js'

const send = (message: AppMessage) => process.send?.(message)

reportFailuresToRunner((failure, detail) => send({ type: 'problem', detail: `${failure}: ${detail}` }))

const rt = createRealtime({
  redis: chaosRedisClient(),
  prefix: process.env.CHAOS_PREFIX ?? 'rtchaos:',
  history: { maxLen: Number(process.env.CHAOS_HISTORY ?? 100_000), ttl: '1 h' },
  heartbeat: 1000,
  warn: () => undefined,
  onError: () => undefined,
})
const app = express()
app.get('/events', rt.sse({ channels: ['chaos'] }))
const server = app.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }))
