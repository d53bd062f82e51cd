import { describeValue } from '@rediware/redis'
import { toInfo } from './info.js'
import { type Decision, Limiter } from './limiter.js'
import { limiterOptionNames, type ResolvedOptions, resolveOptions } from './options.js'
import type { LimitCallOptions, LimiterOptions, PolicyState, RateLimiter, RateLimitInfo } from './types.js'
import { UpstashDecider } from './upstash-decider.js'

/** The counting core shared by `rateLimit()` and `createLimiter()`: Redis scripts or an @upstash/ratelimit. */
export class DecisionCore {
  /** The Redis limiter (also leases and refunds); undefined with an @upstash/ratelimit. */
  readonly redis: Limiter | undefined
  readonly #upstash: UpstashDecider | undefined

  constructor(options: ResolvedOptions) {
    this.redis = options.client ? new Limiter(options, options.client) : undefined
    this.#upstash = options.upstash ? new UpstashDecider(options.upstash, options) : undefined
  }

  /** A decision without Redis when the block cache knows `key` is blocked (static limits only). */
  blocked(key: string, cost: number): Decision | undefined {
    return this.redis?.blocked(key, cost)
  }

  consume(key: string, cost: number, limits?: readonly number[]): Promise<Decision> {
    if (this.redis) return this.redis.consume(key, cost, limits)
    if (this.#upstash) return this.#upstash.consume(key, cost)
    return Promise.reject(new Error('rateLimit: no store configured.'))
  }

  async get(key: string, limits?: readonly number[]): Promise<PolicyState[]> {
    if (!this.redis) throw new TypeError('rateLimit: get() is not available with limiter (use the Ratelimit instance).')
    return this.redis.get(key, limits)
  }

  async reset(key: string): Promise<void> {
    if (this.redis) return this.redis.reset(key)
    await this.#upstash?.reset(key)
  }
}

function callLimits(
  core: DecisionCore,
  options: ResolvedOptions,
  call: LimitCallOptions | undefined,
): readonly number[] | undefined {
  if (call?.limit === undefined) return undefined
  if (!Number.isInteger(call.limit) || call.limit < 0) {
    throw new RangeError(`createLimiter: limit must be a whole number ≥ 0; got ${describeValue(call.limit)}.`)
  }
  if (options.policies.length !== 1 || !core.redis) {
    throw new TypeError('createLimiter: a per-call limit needs one policy (limit/window) and redis.')
  }
  return [call.limit]
}

/**
 * A limiter outside HTTP: `await limiter.limit(key, { cost })` returns the decision `rateLimit()`
 * puts on `req.rateLimit`, counted with the same scripts and the same outage policy.
 */
export function createLimiter(input: LimiterOptions): RateLimiter {
  if (typeof input === 'object' && input !== null) {
    for (const name of Object.keys(input)) {
      if (!Object.hasOwn(limiterOptionNames, name)) {
        throw new TypeError(
          `createLimiter: unknown option "${name}". Known options: ${Object.keys(limiterOptionNames).join(', ')}.`,
        )
      }
    }
  }
  const options = resolveOptions(input)
  const core = new DecisionCore(options)
  const reset = (key: string) => core.reset(key)
  return {
    async limit(key: string, call?: LimitCallOptions): Promise<RateLimitInfo> {
      if (typeof key !== 'string')
        throw new TypeError(`createLimiter: key must be a string; got ${describeValue(key)}.`)
      const cost = call?.cost ?? 1
      if (!Number.isInteger(cost) || cost < 0)
        throw new RangeError(`createLimiter: cost must be a whole number ≥ 0; got ${describeValue(cost)}.`)
      const limits = callLimits(core, options, call)
      return toInfo(key, cost, await core.consume(key, cost, limits))
    },
    get: async (key: string, limit?: number) => core.get(key, callLimits(core, options, { limit })),
    reset,
    resetKey: reset,
  }
}
