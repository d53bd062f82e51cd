import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { RedisInput } from '@rediware/redis'
import { createRealtime, type Realtime, type RealtimeOptions, type SseOptions } from '@rediware/realtime'
import type { TestBackend } from '@rediware/test-utils'
import type { Application, RequestHandler } from 'express'

/** An Express app serving one realtime instance's stream at /events, listening on a free port. */
export interface App {
  readonly rt: Realtime
  readonly url: string
  close(): Promise<void>
}

export async function startApp(
  createApp: () => Application,
  rt: Realtime,
  sse: SseOptions,
  before: readonly RequestHandler[] = [],
): Promise<App> {
  const app = createApp()
  for (const middleware of before) app.use(middleware)
  app.get('/events', rt.sse(sse))
  app.use(((error, _req, res, _next) => {
    res
      .status(500)
      .type('text/plain')
      .send(`error: ${(error as Error).message}`)
  }) as import('express').ErrorRequestHandler)
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  const { port } = server.address() as AddressInfo
  return {
    rt,
    url: `http://127.0.0.1:${port}/events`,
    close: async () => {
      await rt.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/**
 * Two "processes" on one backend: each has its own Redis connection (its own subscriber), as two
 * app servers would. The memory backend is one process by nature, so both share its client.
 */
export function processClients(backend: TestBackend): { inputs: [RedisInput, RedisInput]; close(): void } {
  switch (backend.name) {
    case 'memory':
      return { inputs: [backend.client(), backend.client()], close: () => undefined }
    case 'upstash':
      return { inputs: [backend.raw(), backend.newRaw()], close: () => undefined }
    case 'ioredis': {
      const second = backend.newRaw()
      return { inputs: [backend.raw(), second], close: () => second.disconnect() }
    }
    case 'cluster': {
      const second = backend.newRaw()
      return { inputs: [backend.raw(), second], close: () => second.disconnect() }
    }
    case 'node-redis':
    case 'node-redis-cluster': {
      const second = backend.newRaw()
      return { inputs: [backend.raw(), second], close: () => second.destroy() }
    }
  }
}

let counter = 0

/** A fresh prefix per realtime pair, so tests never see each other's channels. */
export function uniquePrefix(backend: TestBackend): string {
  counter += 1
  return `${backend.prefix}rt${counter}:`
}

/** Two realtime instances (processes) with the same prefix, each on its own connection. */
export function realtimePair(backend: TestBackend, options: Omit<RealtimeOptions, 'redis' | 'prefix'> = {}) {
  const clients = processClients(backend)
  const prefix = uniquePrefix(backend)
  // A generous deadline: a loaded 2-core CI machine must not turn a slow answer into an outage.
  const quiet = { warn: () => undefined, onError: () => undefined, timeout: '3 s' as const }
  const a = createRealtime({ ...quiet, ...options, redis: clients.inputs[0], prefix })
  const b = createRealtime({ ...quiet, ...options, redis: clients.inputs[1], prefix })
  return {
    a,
    b,
    prefix,
    close: async () => {
      await Promise.all([a.close(), b.close()])
      clients.close()
    },
  }
}

export const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds))
