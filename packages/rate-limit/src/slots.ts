import type { OutageReporter, RedisClient } from '@rediware/redis'
import type { ResolvedOptions } from './options.js'
import { nextRequestId } from './request-id.js'
import { concurrencyScript, type ScriptOutcome } from './scripts/index.js'
import type { DecisionSource, PolicyState } from './types.js'

export interface Lease {
  client: RedisClient
  key: string
  rid: string
}

export interface Acquired {
  allowed: boolean
  state: PolicyState
  source: DecisionSource
  lease?: Lease
}

export interface SlotDeps {
  client: RedisClient
  fallback: () => RedisClient
  outage: OutageReporter
  /** The key of `key`'s leases, in the group of its rate policies. */
  keyFor: (key: string) => string
  callOptions: { timeout: number } | undefined
}

/** In-flight limits per key: a slot is a lease in a sorted set, held until the response ends. */
export class Slots {
  readonly #options: ResolvedOptions
  readonly #deps: SlotDeps

  constructor(options: ResolvedOptions, deps: SlotDeps) {
    this.#options = options
    this.#deps = deps
  }

  /** The sorted set of `key`'s leases. */
  keyFor(key: string): string {
    return this.#deps.keyFor(key)
  }

  #concurrencyArgs(mode: 'c' | 'r', rid: string): string[] {
    return [mode, '1', rid, String(this.#options.concurrency ?? 0), String(this.#options.leaseTimeoutMs), '0']
  }

  async #acquireOn(client: RedisClient, key: string): Promise<{ outcome: ScriptOutcome; rid: string }> {
    const rid = nextRequestId()
    const outcome = await client.runScript(
      concurrencyScript,
      [this.keyFor(key)],
      this.#concurrencyArgs('c', rid),
      this.#deps.callOptions,
    )
    return { outcome, rid }
  }

  /** Takes one in-flight slot for `key` (the `concurrency` option). Never rejects. */
  async acquire(key: string): Promise<Acquired> {
    const slots = this.#options.concurrency ?? 0
    const state = (allowed: boolean, remaining: number, retryAfterMs: number): PolicyState => ({
      name: 'concurrency',
      kind: 'concurrency',
      limit: slots,
      windowMs: 0,
      remaining: Math.max(0, remaining),
      resetMs: 0,
      retryAfterMs,
      allowed,
    })
    let client = this.#deps.client
    let source: DecisionSource = 'redis'
    let result: { outcome: ScriptOutcome; rid: string }
    try {
      result = await this.#acquireOn(client, key)
      this.#deps.outage.succeeded()
    } catch (error) {
      this.#deps.outage.failed(error)
      if (this.#options.onStoreError !== 'fallback') {
        const allowed = this.#options.onStoreError === 'allow'
        return { allowed, source: allowed ? 'allow-on-error' : 'deny-on-error', state: state(allowed, slots, 0) }
      }
      client = this.#deps.fallback()
      source = 'fallback'
      result = await this.#acquireOn(client, key)
    }
    const policy = result.outcome.policies[0]
    const allowed = result.outcome.allowed
    const acquired: Acquired = {
      allowed,
      source,
      state: state(allowed, policy?.remaining ?? 0, allowed ? 0 : Math.max(1, policy?.retryAfterMs ?? 1000)),
    }
    if (allowed) acquired.lease = { client, key, rid: result.rid }
    return acquired
  }

  /** Gives a slot back (response finished or client gone). */
  async release(lease: Lease): Promise<void> {
    try {
      await lease.client.runScript(concurrencyScript, [this.keyFor(lease.key)], this.#concurrencyArgs('r', lease.rid))
    } catch (error) {
      // The lease expires on its own after leaseTimeout.
      this.#deps.outage.failed(error)
    }
  }
}
