import { memoryClient, OutageReporter, type RedisClient, type Script } from '@rediware/redis'
import { BlockCache } from './block-cache.js'
import { LimiterKeys } from './limiter-keys.js'
import type { ResolvedOptions, ResolvedPolicy } from './options.js'
import { statesAfter, uncountedStates, zeroLimitStates } from './policy-states.js'
import { limiterScript, type ScriptOutcome } from './scripts/index.js'
import { Slots } from './slots.js'
import { nextRequestId } from './request-id.js'
import type { DecisionSource, PolicyState } from './types.js'

export interface Decision {
  allowed: boolean
  policies: PolicyState[]
  source: DecisionSource
  /** What a refund needs: which store, the windows charged, the request id. Undefined when nothing was charged. */
  charge?: Charge
}

export interface Charge {
  client: RedisClient
  key: string
  cost: number
  stamps: number[]
  rid: string
  /** The limits the charge was checked against, when they came per request. */
  limits: readonly number[] | undefined
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
  readonly #keys: LimiterKeys
  /** ARGV after mode, cost and request id for a check: limit, window, stamp 0 per policy. */
  readonly #checkTail: readonly string[]
  readonly #checkLimits: readonly number[]
  readonly #callOptions: { timeout: number } | undefined
  readonly #script: Script<ScriptOutcome>
  /** Whether a charge may be given back (skip options, or a concurrency slot not obtained); else no Charge is built. */
  readonly #refunds: boolean
  readonly #outage: OutageReporter
  #slots: Slots | undefined

  constructor(options: ResolvedOptions, client: RedisClient) {
    this.#options = options
    this.#client = client
    this.#cache = new BlockCache(options.blockCacheMax)
    this.#keys = new LimiterKeys(options)
    this.#outage = new OutageReporter({ onOutage: options.onError })
    this.#checkLimits = options.policies.map((policy) => policy.limit)
    this.#checkTail = options.policies.flatMap((policy) => [String(policy.limit), String(policy.windowMs), '0'])
    this.#callOptions = options.timeout === undefined ? undefined : { timeout: options.timeout }
    this.#script = limiterScript(options.algorithm, options.policies.length)
    this.#refunds = options.skipSuccessfulRequests || options.skipFailedRequests || options.concurrency !== undefined
  }

  get policies(): readonly ResolvedPolicy[] {
    return this.#options.policies
  }

  #args(mode: 'c' | 'r', cost: number, rid: string, stamps?: readonly number[], limits?: readonly number[]): string[] {
    if (mode === 'c' && limits === undefined) return [mode, cost === 1 ? '1' : String(cost), rid, ...this.#checkTail]
    const args = [mode, String(cost), rid]
    this.#options.policies.forEach((policy, index) => {
      args.push(String(limits?.[index] ?? policy.limit), String(policy.windowMs), String(stamps?.[index] ?? 0))
    })
    return args
  }

  /** The decision when some policy's limit is 0: refused without asking Redis (nothing would be charged). */
  #zeroLimit(cost: number, limits: readonly number[]): Decision {
    return { allowed: cost === 0, policies: zeroLimitStates(this.#options.policies, cost, limits), source: 'redis' }
  }

  #reportError(error: unknown): void {
    this.#outage.failed(error)
  }

  get #fallbackClient(): RedisClient {
    this.#fallback ??= memoryClient()
    return this.#fallback
  }

  /** In-flight slots (the `concurrency` option), on the same store, fallback and outage reporting. */
  get slots(): Slots {
    this.#slots ??= new Slots(this.#options, {
      client: this.#client,
      fallback: () => this.#fallbackClient,
      outage: this.#outage,
      keyFor: (key) => this.#keys.slotsKey(key),
      callOptions: this.#callOptions,
    })
    return this.#slots
  }

  #run(
    client: RedisClient,
    key: string,
    cost: number,
    rid: string,
    limits?: readonly number[],
  ): Promise<ScriptOutcome> {
    return client.runScript(
      this.#script,
      this.#keys.policyKeys(key, limits),
      this.#args('c', cost, rid, undefined, limits),
      this.#callOptions,
    )
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

  /**
   * Checks and (when every policy admits it) charges `cost` units to `key`. `limits` replaces the
   * policies' limits for this call (a limit per request; the block cache is not used then). Never rejects.
   */
  consume(key: string, cost: number, limits?: readonly number[]): Promise<Decision> {
    if (this.#options.policies.length === 0) return Promise.resolve({ allowed: true, policies: [], source: 'redis' })
    const effective = limits ?? this.#checkLimits
    if (effective.includes(0)) return Promise.resolve(this.#zeroLimit(cost, effective))
    if (limits === undefined) {
      const cached = this.blocked(key, cost)
      if (cached) return Promise.resolve(cached)
    }
    const rid = nextRequestId()
    return this.#run(this.#client, key, cost, rid, limits).then(
      (outcome) => {
        this.#outage.succeeded()
        return this.#decision(outcome, this.#client, 'redis', key, cost, rid, limits)
      },
      (error: unknown) => this.#consumeAfterFailure(error, key, cost, rid, limits),
    )
  }

  async #consumeAfterFailure(
    error: unknown,
    key: string,
    cost: number,
    rid: string,
    limits: readonly number[] | undefined,
  ): Promise<Decision> {
    this.#reportError(error)
    if (this.#options.onStoreError !== 'fallback') {
      const allowed = this.#options.onStoreError === 'allow'
      return {
        allowed,
        source: allowed ? 'allow-on-error' : 'deny-on-error',
        policies: uncountedStates(this.#options.policies, allowed, limits),
      }
    }
    const client = this.#fallbackClient
    const outcome = await this.#run(client, key, cost, rid, limits)
    return this.#decision(outcome, client, 'fallback', key, cost, rid, limits)
  }

  #decision(
    outcome: ScriptOutcome,
    client: RedisClient,
    source: DecisionSource,
    key: string,
    cost: number,
    rid: string,
    limits: readonly number[] | undefined,
  ): Decision {
    const policies = statesAfter(this.#options.policies, outcome, limits)
    const decision: Decision = { allowed: outcome.allowed, policies, source }
    if (outcome.allowed && cost > 0 && this.#refunds) {
      const stamps: number[] = new Array(outcome.policies.length)
      for (let index = 0; index < stamps.length; index += 1) stamps[index] = outcome.policies[index]?.stamp ?? 0
      decision.charge = { client, key, cost, rid, stamps, limits }
    }
    // Only a cost-1 rejection proves the key is blocked for every request (any request costs ≥ 1).
    if (!outcome.allowed && cost === 1 && source === 'redis' && limits === undefined) {
      const wait = Math.max(...policies.map((policy) => policy.retryAfterMs))
      if (wait > 0) this.#cache.set(key, Date.now() + wait, policies)
    }
    return decision
  }

  /** Gives back a charge in the window it was made in (skipSuccessfulRequests / skipFailedRequests). */
  async refund(charge: Charge): Promise<void> {
    try {
      await charge.client.runScript(
        this.#script,
        this.#keys.policyKeys(charge.key, charge.limits),
        this.#args('r', charge.cost, charge.rid, charge.stamps, charge.limits),
      )
      this.#cache.delete(charge.key)
    } catch (error) {
      this.#reportError(error)
    }
  }

  /** Forgets everything counted for `key` (in Redis, in the fallback and in the block cache), whatever its limit. */
  async reset(key: string): Promise<void> {
    this.#cache.delete(key)
    const keys = this.#keys.allKeys(key)
    if (this.#fallback) await this.#fallback.del(keys)
    await this.#client.del(keys)
  }

  /** The current state of `key` without charging it. */
  async get(key: string, limits?: readonly number[]): Promise<PolicyState[]> {
    if (this.#options.policies.length === 0) return []
    const effective = limits ?? this.#checkLimits
    if (effective.includes(0)) return zeroLimitStates(this.#options.policies, 0, effective)
    const outcome = await this.#run(this.#client, key, 0, nextRequestId(), limits)
    return statesAfter(this.#options.policies, outcome, limits)
  }
}
