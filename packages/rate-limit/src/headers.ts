import type { Response } from 'express'
import type { HeadersMode, PolicyState, RateLimitInfo } from './types.js'

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000))

/** Structured-field string item for a policy name (names are restricted to safe characters). */
const sfString = (value: string): string => `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`

/** `RateLimit-Policy` items (draft-ietf-httpapi-ratelimit-headers-08…10): `"name";q=100;w=60`. */
export function policyItems(policies: readonly PolicyState[]): string[] {
  return policies.map((policy) =>
    policy.kind === 'concurrency'
      ? `${sfString(policy.name)};q=${policy.limit};qu="concurrent-requests"`
      : `${sfString(policy.name)};q=${policy.limit};w=${seconds(policy.windowMs)}`,
  )
}

/** `RateLimit` items: `"name";r=42;t=30`. */
export function stateItems(policies: readonly PolicyState[]): string[] {
  return policies.map((policy) => `${sfString(policy.name)};r=${Math.max(0, policy.remaining)};t=${seconds(policy.resetMs)}`)
}

/** Appends list items to a header so stacked limiters compose. */
function append(res: Response, name: string, items: readonly string[]): void {
  if (items.length === 0) return
  const existing = res.getHeader(name)
  const previous = existing === undefined ? [] : [String(existing)]
  res.setHeader(name, [...previous, ...items].join(', '))
}

/** The policy that binds: the lowest remaining (ties: the longest reset). */
export function bindingPolicy(policies: readonly PolicyState[]): PolicyState | undefined {
  let best: PolicyState | undefined
  for (const policy of policies) {
    if (!best || policy.remaining < best.remaining || (policy.remaining === best.remaining && policy.resetMs > best.resetMs)) {
      best = policy
    }
  }
  return best
}

export function setRateLimitHeaders(res: Response, mode: HeadersMode, info: RateLimitInfo): void {
  if (mode === false || res.headersSent) return
  if (mode === 'draft' || mode === 'both') {
    append(res, 'RateLimit-Policy', policyItems(info.policies))
    append(res, 'RateLimit', stateItems(info.policies))
  }
  if (mode === 'legacy' || mode === 'both') {
    const existing = Number(res.getHeader('X-RateLimit-Remaining'))
    // With stacked limiters the most restrictive one keeps the legacy headers.
    if (res.hasHeader('X-RateLimit-Remaining') && Number.isFinite(existing) && existing < info.remaining) return
    res.setHeader('X-RateLimit-Limit', String(info.limit))
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, info.remaining)))
    res.setHeader('X-RateLimit-Reset', String(seconds(info.resetMs)))
  }
}

/** `Retry-After` in whole seconds, at least 1: a retry after it passes (single-policy limiter). */
export function retryAfterSeconds(info: RateLimitInfo): number {
  return Math.max(1, Math.ceil(info.retryAfterMs / 1000))
}
