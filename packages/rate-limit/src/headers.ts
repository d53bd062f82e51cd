import type { Response } from 'express'
import type { HeaderFormats } from './options.js'
import type { PolicyState, RateLimitInfo } from './types.js'

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000))

const quoted = new Map<string, string>()

/** Structured-field string item for a policy name (names are restricted to safe characters). */
function sfString(value: string): string {
  let item = quoted.get(value)
  if (item === undefined) {
    item = `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`
    // Names come from the options, so the map stays small; the guard only bounds odd callers.
    if (quoted.size < 1024) quoted.set(value, item)
  }
  return item
}

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
  return policies.map(
    (policy) => `${sfString(policy.name)};r=${Math.max(0, policy.remaining)};t=${seconds(policy.resetMs)}`,
  )
}

/** Appends a list (items joined by `, `) to a header so stacked limiters compose. */
function append(res: Response, name: string, list: string): void {
  if (list === '') return
  const existing = res.getHeader(name)
  res.setHeader(name, existing === undefined ? list : `${String(existing)}, ${list}`)
}

/** The `RateLimit` list for `policies`. */
function stateList(policies: readonly PolicyState[]): string {
  let list = ''
  for (const policy of policies) {
    const item = `${sfString(policy.name)};r=${Math.max(0, policy.remaining)};t=${seconds(policy.resetMs)}`
    list = list === '' ? item : `${list}, ${item}`
  }
  return list
}

/** The policy that binds: the lowest remaining (ties: the longest reset). */
export function bindingPolicy(policies: readonly PolicyState[]): PolicyState | undefined {
  let best: PolicyState | undefined
  for (const policy of policies) {
    if (
      !best ||
      policy.remaining < best.remaining ||
      (policy.remaining === best.remaining && policy.resetMs > best.resetMs)
    ) {
      best = policy
    }
  }
  return best
}

/** draft-6/7's `RateLimit-Policy`: `100;w=60` per rate policy. */
function quotaList(policies: readonly PolicyState[]): string {
  return policies
    .filter((policy) => policy.kind !== 'concurrency')
    .map((policy) => `${policy.limit};w=${seconds(policy.windowMs)}`)
    .join(', ')
}

/** express-rate-limit's draft-6 and draft-7 headers: the binding policy's numbers. */
function setEarlyDraftHeaders(res: Response, draft: 'draft-6' | 'draft-7', info: RateLimitInfo): void {
  const remaining = Math.max(0, info.remaining)
  const reset = seconds(info.resetMs)
  res.setHeader('RateLimit-Policy', quotaList(info.policies))
  if (draft === 'draft-7') {
    res.setHeader('RateLimit', `limit=${info.limit}, remaining=${remaining}, reset=${reset}`)
    return
  }
  res.setHeader('RateLimit-Limit', String(info.limit))
  res.setHeader('RateLimit-Remaining', String(remaining))
  res.setHeader('RateLimit-Reset', String(reset))
}

function setLegacyHeaders(res: Response, form: 'delta' | 'epoch', info: RateLimitInfo): void {
  const header = res.getHeader('X-RateLimit-Remaining')
  const existing = Number(header)
  // With stacked limiters the most restrictive one keeps the legacy headers.
  if (header !== undefined && Number.isFinite(existing) && existing < info.remaining) return
  res.setHeader('X-RateLimit-Limit', String(info.limit))
  res.setHeader('X-RateLimit-Remaining', String(Math.max(0, info.remaining)))
  if (form === 'delta') {
    res.setHeader('X-RateLimit-Reset', String(seconds(info.resetMs)))
    return
  }
  // As express-rate-limit: a Unix time, with a Date header so a client can correct for clock skew.
  res.setHeader('Date', new Date().toUTCString())
  res.setHeader('X-RateLimit-Reset', String(Math.ceil(info.resetTime.getTime() / 1000)))
}

/**
 * Sets the headers `formats` asks for. `policyList` is the draft-8 `RateLimit-Policy` list when the
 * caller has it prebuilt (it only depends on the configured policies).
 */
export function setRateLimitHeaders(
  res: Response,
  formats: HeaderFormats,
  info: RateLimitInfo,
  policyList: string = policyItems(info.policies).join(', '),
): void {
  if (formats.standard === false && formats.legacy === false) return
  // Not `if (res.headersSent) return`: Express gives each response object a hidden class of its own
  // (setPrototypeOf per request), so that first getter read misses V8's caches and costs microseconds
  // on every request. The first setHeader throws instead when an earlier handler already answered.
  try {
    if (formats.standard === 'draft-8') {
      append(res, 'RateLimit-Policy', policyList)
      append(res, 'RateLimit', stateList(info.policies))
    } else if (formats.standard !== false) {
      setEarlyDraftHeaders(res, formats.standard, info)
    }
    if (formats.legacy !== false) setLegacyHeaders(res, formats.legacy, info)
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_HTTP_HEADERS_SENT') throw error
  }
}

/** `Retry-After` in whole seconds, at least 1: a retry after it passes (single-policy limiter). */
export function retryAfterSeconds(info: RateLimitInfo): number {
  return Math.max(1, Math.ceil(info.retryAfterMs / 1000))
}
