import { OutageReporter } from '@rediware/redis'
import type { Decision } from './limiter.js'
import type { ResolvedOptions } from './options.js'
import type { UpstashRatelimitLike } from './types.js'

async function upstashDecision(limiter: UpstashRatelimitLike, key: string, cost: number): Promise<Decision> {
  const result = await limiter.limit(key, cost === 1 ? undefined : { rate: cost })
  result.pending?.catch(() => undefined)
  const resetMs = Math.max(0, result.reset - Date.now())
  return {
    allowed: result.success,
    source: 'upstash',
    policies: [
      {
        name: 'default',
        limit: result.limit,
        windowMs: resetMs,
        remaining: Math.max(0, result.remaining),
        resetMs,
        retryAfterMs: result.success ? 0 : Math.max(1, resetMs),
        allowed: result.success,
      },
    ],
  }
}

/** Decisions delegated to an @upstash/ratelimit `Ratelimit`, under the configured deadline and outage policy. */
export class UpstashDecider {
  readonly #limiter: UpstashRatelimitLike
  readonly #options: ResolvedOptions
  readonly #outage: OutageReporter

  constructor(limiter: UpstashRatelimitLike, options: ResolvedOptions) {
    this.#limiter = limiter
    this.#options = options
    this.#outage = new OutageReporter({ onOutage: options.onError })
  }

  async consume(key: string, cost: number): Promise<Decision> {
    const timeout = this.#options.timeout
    let timer: NodeJS.Timeout | undefined
    try {
      const pending = upstashDecision(this.#limiter, key, cost)
      const decision = await (timeout === undefined
        ? pending
        : Promise.race([
            pending,
            new Promise<never>((_resolve, reject) => {
              timer = setTimeout(
                () => reject(new Error(`@upstash/ratelimit did not answer within ${timeout} ms.`)),
                timeout,
              )
            }),
          ]))
      this.#outage.succeeded()
      return decision
    } catch (error) {
      this.#outage.failed(error)
      // No local copy of the Ratelimit's policy exists: 'fallback' behaves like 'allow' here.
      const allowed = this.#options.onStoreError !== 'deny'
      return { allowed, source: allowed ? 'allow-on-error' : 'deny-on-error', policies: [] }
    } finally {
      clearTimeout(timer)
    }
  }

  async reset(key: string): Promise<void> {
    await this.#limiter.resetUsedTokens?.(key)
  }
}
