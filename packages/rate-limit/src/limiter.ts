import { hashKeyPart, hashTag, memoryClient, type RedisClient, type Script } from '@rediware/redis'
import { BlockCache } from './block-cache.js'
import { BoundedMemo } from './bounded-memo.js'
import type { ResolvedOptions, ResolvedPolicy } from './options.js'
import { concurrencyScript, limiterScript, type ScriptOutcome } from './scripts/index.js'
import { nextRequestId } from './request-id.js'
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

/** Keys whose hash tags are remembered (a sha256 per request otherwise). */
const TAG_MEMO_SIZE = 4096

const tagOf = (key: string): string => hashTag(hashKeyPart(key))

/**
 * The counting core behind the middleware: one script call per request against Redis, the local
 * block cache in front of it, and the outage policy around it.
 */
export class Limiter {
  readonly #options: ResolvedOptions
  readonly #client: RedisClient
  #fallback: RedisClient | undefined
  readonly #cache: BlockCache<PolicyState[]>
  readonly #keys: BoundedMemo<readonly string[]>
  readonly #tags = new BoundedMemo(TAG_MEMO_SIZE, tagOf)
  /** ARGV after mode, cost and request id for a check: limit, window, stamp 0 per policy. */
  readonly #checkTail: readonly string[]
  readonly #callOptions: { timeout: number } | undefined
  readonly #script: Script<ScriptOutcome>
  /** Whether a charge may be given back (skip options, or a concurrency slot not obtained); else no Charge is built. */
  readonly #refunds: boolean
  #inOutage = false

  constructor(options: ResolvedOptions, client: RedisClient) {
    this.#options = options
    this.#client = client
    this.#cache = new BlockCache(options.blockCacheMax)
    const version = options.algorithm.replace(/-/g, '')
    this.#keys = new BoundedMemo(TAG_MEMO_SIZE, (key) => {
      const tag = this.#tags.get(key)
      return options.policies.map((policy) => `${options.prefix}v1:${tag}:${version}:${policy.name}`)
    })
    this.#checkTail = options.policies.flatMap((policy) => [String(policy.limit), String(policy.windowMs), '0'])
    this.#callOptions = options.timeout === undefined ? undefined : { timeout: options.timeout }
    this.#script = limiterScript(options.algorithm, options.policies.length)
    this.#refunds = options.skipSuccessfulRequests || options.skipFailedRequests || options.concurrency !== undefined
  }

  get policies(): readonly ResolvedPolicy[] {
    return this.#options.policies
  }

  /** The Redis keys for `key`: one per policy, all under one hash tag. Shared: do not mutate. */
  keysFor(key: string): readonly string[] {
    return this.#keys.get(key)
  }

  #args(mode: 'c' | 'r', cost: number, rid: string, stamps?: readonly number[]): string[] {
    if (mode === 'c') return [mode, cost === 1 ? '1' : String(cost), rid, ...this.#checkTail]
    const args = [mode, String(cost), rid]
    this.#options.policies.forEach((policy, index) => {
      args.push(String(policy.limit), String(policy.windowMs), String(stamps?.[index] ?? 0))
    })
    return args
  }

  #states(outcome: ScriptOutcome): PolicyState[] {
    const policies = this.#options.policies
    const states: PolicyState[] = new Array(policies.length)
    for (let index = 0; index < policies.length; index += 1) {
      const policy = policies[index] as ResolvedPolicy
      const result = outcome.policies[index]
      if (!result) throw new TypeError('rate-limit script: fewer results than policies.')
      states[index] = {
        name: policy.name,
        limit: policy.limit,
        windowMs: policy.windowMs,
        remaining: result.remaining,
        resetMs: Math.max(0, result.resetMs),
        retryAfterMs: result.retryAfterMs,
        allowed: result.allowed,
      }
    }
    return states
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

  #run(client: RedisClient, key: string, cost: number, rid: string): Promise<ScriptOutcome> {
    return client.runScript(this.#script, this.keysFor(key), this.#args('c', cost, rid), this.#callOptions)
  }

  #concurrencyKey(key: string): string {
    return `${this.#options.prefix}v1:${this.#tags.get(key)}:concurrency`
  }

  #concurrencyArgs(mode: 'c' | 'r', rid: string): string[] {
    return [mode, '1', rid, String(this.#options.concurrency ?? 0), String(this.#options.leaseTimeoutMs), '0']
  }

  async #acquireOn(client: RedisClient, key: string): Promise<{ outcome: ScriptOutcome; rid: string }> {
    const rid = nextRequestId()
    const outcome = await client.runScript(concurrencyScript, [this.#concurrencyKey(key)], this.#concurrencyArgs('c', rid), this.#callOptions)
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

  /**
   * The decision for `key` when the block cache knows it is blocked (no Redis call, synchronous);
   * undefined when Redis has to decide.
   */
  blocked(key: string, cost: number): Decision | undefined {
    if (cost <= 0 || this.#options.policies.length === 0) return undefined
    const cached = this.#cache.get(key)
    if (!cached) return undefined
    const retryAfterMs = Math.max(1, cached.until - Date.now())
    const states = cached.value
    const policies: PolicyState[] = new Array(states.length)
    for (let index = 0; index < states.length; index += 1) {
      const policy = states[index] as PolicyState
      policies[index] = policy.allowed ? policy : { ...policy, retryAfterMs, remaining: 0 }
    }
    return { allowed: false, source: 'block-cache', policies }
  }

  /** Checks and (when every policy admits it) charges `cost` units to `key`. Never rejects. */
  consume(key: string, cost: number): Promise<Decision> {
    if (this.#options.policies.length === 0) return Promise.resolve({ allowed: true, policies: [], source: 'redis' })
    const cached = this.blocked(key, cost)
    if (cached) return Promise.resolve(cached)
    const rid = nextRequestId()
    return this.#run(this.#client, key, cost, rid).then(
      (outcome) => {
        this.#inOutage = false
        return this.#decision(outcome, this.#client, 'redis', key, cost, rid)
      },
      (error: unknown) => this.#consumeAfterFailure(error, key, cost, rid),
    )
  }

  async #consumeAfterFailure(error: unknown, key: string, cost: number, rid: string): Promise<Decision> {
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
    const client = this.#fallbackClient
    const outcome = await this.#run(client, key, cost, rid)
    return this.#decision(outcome, client, 'fallback', key, cost, rid)
  }

  #decision(outcome: ScriptOutcome, client: RedisClient, source: DecisionSource, key: string, cost: number, rid: string): Decision {
    const policies = this.#states(outcome)
    const decision: Decision = { allowed: outcome.allowed, policies, source }
    if (outcome.allowed && cost > 0 && this.#refunds) {
      const stamps: number[] = new Array(outcome.policies.length)
      for (let index = 0; index < stamps.length; index += 1) stamps[index] = outcome.policies[index]?.stamp ?? 0
      decision.charge = { client, key, cost, rid, stamps }
    }
    // Only a cost-1 rejection proves the key is blocked for every request (any request costs ≥ 1).
    if (!outcome.allowed && cost === 1 && source === 'redis') {
      const wait = Math.max(...policies.map((policy) => policy.retryAfterMs))
      if (wait > 0) this.#cache.set(key, Date.now() + wait, policies)
    }
    return decision
  }

  /** Gives back a charge in the window it was made in (skipSuccessfulRequests / skipFailedRequests). */
  async refund(charge: Charge): Promise<void> {
    try {
      await charge.client.runScript(this.#script, this.keysFor(charge.key), this.#args('r', charge.cost, charge.rid, charge.stamps))
      this.#cache.delete(charge.key)
    } catch (error) {
      this.#reportError(error)
    }
  }

  /** Forgets everything counted for `key` (in Redis, in the fallback and in the block cache). */
  async reset(key: string): Promise<void> {
    this.#cache.delete(key)
    const keys = [...this.keysFor(key)]
    if (this.#options.concurrency !== undefined) keys.push(this.#concurrencyKey(key))
    if (this.#fallback) await this.#fallback.del(keys)
    await this.#client.del(keys)
  }

  /** The current state of `key` without charging it. */
  async get(key: string): Promise<PolicyState[]> {
    if (this.#options.policies.length === 0) return []
    return this.#states(await this.#run(this.#client, key, 0, nextRequestId()))
  }
}
