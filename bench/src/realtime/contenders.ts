import type { Server } from 'node:http'
import { startBetterSse } from './servers/better-sse.js'
import { startOurs } from './servers/ours.js'
import { startSocketIo } from './servers/socket-io.js'
import type { Tick } from './protocol.js'

/** One library's fan-out running in an app process, on the app's HTTP server. */
export interface FanOut {
  publish(tick: Tick): Promise<void>
  close(): Promise<void>
}

export type ContenderId = 'rediware' | 'socket.io' | 'better-sse'

/** How the load process connects its clients to a contender. */
export type ClientKind = 'sse' | 'socket.io'

export interface Contender {
  id: ContenderId
  name: string
  clientKind: ClientKind
  /** Whether the load process reconnects with the last `id:` it saw, as EventSource does. */
  resumesWithLastEventId: boolean
}

export const contenders: readonly Contender[] = [
  { id: 'rediware', name: '@rediware/realtime', clientKind: 'sse', resumesWithLastEventId: true },
  { id: 'socket.io', name: 'socket.io 4 + redis-adapter', clientKind: 'socket.io', resumesWithLastEventId: false },
  { id: 'better-sse', name: 'better-sse + ioredis pub/sub', clientKind: 'sse', resumesWithLastEventId: true },
]

export function startFanOut(id: ContenderId, redisUrl: string, server: Server): Promise<FanOut> {
  if (id === 'rediware') return startOurs(redisUrl, server)
  if (id === 'socket.io') return startSocketIo(redisUrl, server)
  return startBetterSse(redisUrl, server)
}
