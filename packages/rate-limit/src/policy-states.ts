import type { ResolvedPolicy } from './options.js'
import type { ScriptOutcome } from './scripts/index.js'
import type { PolicyState } from './types.js'

/** Each policy's state after a script call; `limits` replaces the policies' limits (a limit per request). */
export function statesAfter(
  policies: readonly ResolvedPolicy[],
  outcome: ScriptOutcome,
  limits?: readonly number[],
): PolicyState[] {
  const states: PolicyState[] = new Array(policies.length)
  for (let index = 0; index < policies.length; index += 1) {
    const policy = policies[index] as ResolvedPolicy
    const result = outcome.policies[index]
    if (!result) throw new TypeError('rate-limit script: fewer results than policies.')
    states[index] = {
      name: policy.name,
      limit: limits?.[index] ?? policy.limit,
      windowMs: policy.windowMs,
      remaining: result.remaining,
      resetMs: Math.max(0, result.resetMs),
      retryAfterMs: result.retryAfterMs,
      allowed: result.allowed,
    }
  }
  return states
}

/** Each policy's state when some limit is 0: refused without asking Redis (nothing would be charged). */
export const zeroLimitStates = (
  policies: readonly ResolvedPolicy[],
  cost: number,
  limits: readonly number[],
): PolicyState[] =>
  policies.map((policy, index): PolicyState => {
    const limit = limits[index] ?? policy.limit
    const allowed = limit > 0 || cost === 0
    return {
      name: policy.name,
      limit,
      windowMs: policy.windowMs,
      remaining: limit,
      resetMs: 0,
      retryAfterMs: allowed ? 0 : -1,
      allowed,
    }
  })

/** Each policy's state when the store failed and `onStoreError` answers for it: nothing was counted. */
export const uncountedStates = (
  policies: readonly ResolvedPolicy[],
  allowed: boolean,
  limits: readonly number[] | undefined,
): PolicyState[] =>
  policies.map((policy, index) => ({
    name: policy.name,
    limit: limits?.[index] ?? policy.limit,
    windowMs: policy.windowMs,
    remaining: limits?.[index] ?? policy.limit,
    resetMs: 0,
    retryAfterMs: 0,
    allowed,
  }))
