import type { RedisClient } from '@rediware/redis'
import { type RedisServerHandle, startRedisServer } from '@rediware/test-utils'
import type { SessionData } from 'express-session'
import { Redis, type RedisOptions } from 'ioredis'
import type { SessionStoreEvent } from '../src/index.js'

/** A plain session object as express-session would store it. */
export function sessionData(fields: Record<string, unknown> = {}, cookie: Record<string, unknown> = {}): SessionData {
  return { cookie: { originalMaxAge: null, httpOnly: true, path: '/', ...cookie }, ...fields } as unknown as SessionData
}

/** Wraps a RedisClient and counts the calls (round trips) made through it. */
export function countingClient(inner: RedisClient): { client: RedisClient; calls: () => number; names: string[] } {
  const names: string[] = []
  const client = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string') return value
      if (['onStateChange', 'close'].includes(property)) return value.bind(target)
      return (...args: unknown[]) => {
        const label = property === 'runScript' ? `script:${String((args[0] as { name?: unknown }).name)}` : property
        names.push(label)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { client, calls: () => names.length, names }
}

export function eventLog(): { events: SessionStoreEvent[]; onEvent: (event: SessionStoreEvent) => void } {
  const events: SessionStoreEvent[] = []
  return { events, onEvent: (event) => events.push(event) }
}

export interface DedicatedRedis {
  readonly server: RedisServerHandle
  readonly raw: Redis
  /** Unhandled rejections seen while the describe block ran. */
  readonly unhandled: unknown[]
}

/**
 * A redis-server of the describe block's own (to kill, pause or starve) with one ready ioredis
 * connection to it, started before its tests and stopped after them; collects unhandled rejections
 * meanwhile.
 */
export function dedicatedRedis(options: RedisOptions): DedicatedRedis {
  let server: RedisServerHandle | undefined
  let raw: Redis | undefined
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  beforeAll(async () => {
    server = await startRedisServer()
    const connection = new Redis(server.url, options)
    raw = connection
    await new Promise<void>((resolve) => connection.once('ready', () => resolve()))
    process.on('unhandledRejection', onUnhandled)
  })
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled)
    raw?.disconnect()
    await server?.stop()
  })
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('dedicatedRedis: used before its beforeAll ran')
    return value
  }
  return {
    get server() {
      return started(server)
    },
    get raw() {
      return started(raw)
    },
    unhandled,
  }
}
