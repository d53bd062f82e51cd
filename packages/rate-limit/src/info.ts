import { bindingPolicy } from './headers.js'
import type { Decision } from './limiter.js'
import type { RateLimitInfo } from './types.js'

/** The decision object the middleware puts on the request and `createLimiter().limit()` returns. */
export function toInfo(key: string, cost: number, decision: Decision): RateLimitInfo {
  const binding = bindingPolicy(decision.policies)
  const violated: string[] = []
  let longestWait = 0
  for (const policy of decision.policies) {
    if (policy.allowed) continue
    violated.push(policy.name)
    longestWait = Math.max(longestWait, policy.retryAfterMs < 0 ? policy.windowMs : policy.retryAfterMs)
  }
  const limit = binding?.limit ?? 0
  const remaining = binding?.remaining ?? 0
  const resetMs = binding?.resetMs ?? 0
  return {
    key,
    allowed: decision.allowed,
    cost,
    limit,
    remaining,
    resetMs,
    retryAfterMs: decision.allowed ? 0 : longestWait,
    used: limit - remaining + (decision.allowed ? 0 : cost),
    resetTime: new Date(Date.now() + resetMs),
    policies: decision.policies,
    source: decision.source,
    violated,
  }
}
