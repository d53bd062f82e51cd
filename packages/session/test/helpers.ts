import type { RedisClient } from '@rediware/redis'
import type { SessionData } from 'express-session'
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
