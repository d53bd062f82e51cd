import type { BreakerOptions } from './circuit-breaker.js'
import { describeValue } from './duration.js'

export interface ClientOptions {
  /** Deadline for every call in ms (per-call `timeout` overrides it). Default 250 over TCP, 1000 over HTTP. */
  timeout?: number
  /** Circuit breaker settings. */
  breaker?: BreakerOptions
}

export interface ResolvedClientOptions {
  timeout: number
  breaker: Required<BreakerOptions>
}

function positiveInteger(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds; got ${describeValue(value)}.`)
  }
  return Math.ceil(value)
}

export function resolveClientOptions(options: ClientOptions = {}, defaultTimeout: number): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Client options must be an object; got ${describeValue(options)}.`)
  }
  return {
    timeout: positiveInteger(options.timeout, 'timeout', defaultTimeout),
    breaker: {
      failureThreshold: positiveInteger(options.breaker?.failureThreshold, 'breaker.failureThreshold', 5),
      cooldown: positiveInteger(options.breaker?.cooldown, 'breaker.cooldown', 1000),
    },
  }
}
