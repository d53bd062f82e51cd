import { randomBytes } from 'node:crypto'
import { hashKeyPart, hashTag, memoryClient, type RedisClient } from '@rediware/redis'
import { BlockCache } from './block-cache.js'
import type { ResolvedOptions, ResolvedPolicy } from './options.js'
import { concurrencyScript, limiterScript, type ScriptOutcome } from './scripts/index.js'
import type { DecisionSource, PolicyState } from './types.js'

export interface Decision {
  allowed: boolean
  policies: PolicyState[]
  source: DecisionSource
  /** What a refund needs: which store, the windows charged, the request id. Undefined when nothing was charged. */
  charge?: Charge
}

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

export interface Charge {
  client: RedisClient
  key: string
  cost: number
  stamps: number[]
  rid: string
}

/**
 * The counting core behind the middleware: one script call per request against Redis, the local
 * block cache in front of it, and the outage policy around it.
 */
export class Limiter {
  readonly #options: ResolvedOptions
  readonly #client: RedisClient
  #fallback: RedisClient | undefined
  readonly #cache: BlockCache<PolicyState[]>
  #inOutage = false

  constructor(options: ResolvedOptions, client: RedisClient) {
    this.#options = options
    this.#client = client
    this.#cache = new BlockCache(options.blockCacheMax)
  }

  get policies(): readonly ResolvedPolicy[] {
    return this.#options.policies
  }

  /** The Redis keys for `key`: one per policy, all under one hash tag. */
  keysFor(key: string): string[] {
    const tag = hashTag(hashKeyPart(key))
    const version = this.#options.algorithm.replace(/-/g, '')
    return this.#options.policies.map((policy) => `${this.#options.prefix}v1:${tag}:${version}:${policy.name}`)
  }

  #args(mode: 'c' | 'r', cost: number, rid: string, stamps?: readonly number[]): string[] {
    const args = [mode, String(cost), rid]
    this.#options.policies.forEach((policy, index) => {
      args.push(String(policy.limit), String(policy.windowMs), String(stamps?.[index] ?? 0))
    })
    return args
  }

  #states(outcome: ScriptOutcome): PolicyState[] {
    return this.#options.policies.map((policy, index) => {
      const result = outcome.policies[index]
      if (!result) throw new TypeError('rate-limit script: fewer results than policies.')
      return {
        name: policy.name,
        limit: policy.limit,
        windowMs: policy.windowMs,
        remaining: result.remaining,
        resetMs: Math.max(0, result.resetMs),
        retryAfterMs: result.retryAfterMs,
        allowed: result.allowed,
      }
    })
  }

  #reportError(error: unknown): void {
    if (this.#inOutage) return
    this.#inOutage = true
    try {
      this.#options.onError(error)
    } catch {
      // A throwing hook must not turn into an unhandled rejection or a failed request.
    }
  }

  get #fallbackClient(): RedisClient {
    this.#fallback ??= memoryClient()
    return this.#fallback
  }

  async #run(client: RedisClient, key: string, cost: number): Promise<{ outcome: ScriptOutcome; rid: string }> {
    const rid = randomBytes(9).toString('base64url')
    const script = limiterScript(this.#options.algorithm, this.#options.policies.length)
    const callOptions = this.#options.timeout === undefined ? undefined : { timeout: this.#options.timeout }
    const outcome = await client.runScript(script, this.keysFor(key), this.#args('c', cost, rid), callOptions)
    return { outcome, rid }
  }

  #concurrencyKey(key: string): string {
    return `${this.#options.prefix}v1:${hashTag(hashKeyPart(key))}:concurrency`
  }

  #concurrencyArgs(mode: 'c' | 'r', rid: string): string[] {
    return [mode, '1', rid, String(this.#options.concurrency ?? 0), String(this.#options.leaseTimeoutMs), '0']
  }

  async #acquireOn(client: RedisClient, key: string): Promise<{ outcome: ScriptOutcome; rid: string }> {
    const rid = randomBytes(9).toString('base64url')
    const callOptions = this.#options.timeout === undefined ? undefined : { timeout: this.#options.timeout }
    const outcome = await client.runScript(concurrencyScript, [this.#concurrencyKey(key)], this.#concurrencyArgs('c', rid), callOptions)
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
    let client = this.#client
    let source: DecisionSource = 'redis'
    let result: { outcome: ScriptOutcome; rid: string }
    try {
      result = await this.#acquireOn(client, key)
      this.#inOutage = false
    } catch (error) {
      this.#reportError(error)
      if (this.#options.onStoreError !== 'fallback') {
        const allowed = this.#options.onStoreError === 'allow'
        return { allowed, source: allowed ? 'allow-on-error' : 'deny-on-error', state: state(allowed, slots, 0) }
      }
      client = this.#fallbackClient
      source = 'fallback'
      result = await this.#acquireOn(client, key)
    }
    const policy = result.outcome.policies[0]
    const allowed = result.outcome.allowed
    const acquired: Acquired = { allowed, source, state: state(allowed, policy?.remaining ?? 0, allowed ? 0 : Math.max(1, policy?.retryAfterMs ?? 1000)) }
    if (allowed) acquired.lease = { client, key, rid: result.rid }
    return acquired
  }

  /** Gives a slot back (response finished or client gone). */
  async release(lease: Lease): Promise<void> {
    try {
      await lease.client.runScript(concurrencyScript, [this.#concurrencyKey(lease.key)], this.#concurrencyArgs('r', lease.rid))
    } catch (error) {
      // The lease expires on its own after leaseTimeout.
      this.#reportError(error)
    }
  }

  /** Checks and (when every policy admits it) charges `cost` units to `key`. Never rejects. */
  async consume(key: string, cost: number): Promise<Decision> {
    if (this.#options.policies.length === 0) return { allowed: true, policies: [], source: 'redis' }
    const cached = cost > 0 ? this.#cache.get(key, Date.now()) : undefined
    if (cached) {
      const left = cached.until - Date.now()
      return {
        allowed: false,
        source: 'block-cache',
        policies: cached.value.map((policy) =>
          policy.allowed ? policy : { ...policy, retryAfterMs: Math.max(1, left), remaining: 0 },
        ),
      }
    }
    let client = this.#client
    let source: DecisionSource = 'redis'
    let result: { outcome: ScriptOutcome; rid: string }
    try {
      result = await this.#run(client, key, cost)
      this.#inOutage = false
    } catch (error) {
      this.#reportError(error)
      if (this.#options.onStoreError !== 'fallback') {
        const allowed = this.#options.onStoreError === 'allow'
        return {
          allowed,
          source: allowed ? 'allow-on-error' : 'deny-on-error',
          policies: this.#options.policies.map((policy) => ({
            name: policy.name,
            limit: policy.limit,
            windowMs: policy.windowMs,
            remaining: policy.limit,
            resetMs: 0,
            retryAfterMs: 0,
            allowed,
          })),
        }
      }
      client = this.#fallbackClient
      source = 'fallback'
      result = await this.#run(client, key, cost)
    }
    const policies = this.#states(result.outcome)
    const decision: Decision = { allowed: result.outcome.allowed, policies, source }
    if (result.outcome.allowed && cost > 0) {
      decision.charge = { client, key, cost, rid: result.rid, stamps: result.outcome.policies.map((policy) => policy.stamp) }
    }
    // Only a cost-1 rejection proves the key is blocked for every request (any request costs ≥ 1).
    if (!result.outcome.allowed && cost === 1 && source === 'redis') {
      const wait = Math.max(...policies.map((policy) => policy.retryAfterMs))
      if (wait > 0) this.#cache.set(key, Date.now() + wait, policies)
    }
    return decision
  }

  /** Gives back a charge in the window it was made in (skipSuccessfulRequests / skipFailedRequests). */
  async refund(charge: Charge): Promise<void> {
    const script = limiterScript(this.#options.algorithm, this.#options.policies.length)
    try {
      await charge.client.runScript(script, this.keysFor(charge.key), this.#args('r', charge.cost, charge.rid, charge.stamps))
      this.#cache.delete(charge.key)
    } catch (error) {
      this.#reportError(error)
    }
  }

  /** Forgets everything counted for `key` (in Redis, in the fallback and in the block cache). */
  async reset(key: string): Promise<void> {
    this.#cache.delete(key)
    const keys = this.keysFor(key)
    if (this.#options.concurrency !== undefined) keys.push(this.#concurrencyKey(key))
    if (this.#fallback) await this.#fallback.del(keys)
    await this.#client.del(keys)
  }

  /** The current state of `key` without charging it. */
  async get(key: string): Promise<PolicyState[]> {
    if (this.#options.policies.length === 0) return []
    const { outcome } = await this.#run(this.#client, key, 0)
    return this.#states(outcome)
  }
}
