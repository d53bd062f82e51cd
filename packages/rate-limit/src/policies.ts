import { describeValue, parseDuration } from '@rediware/redis'
import type { RateLimitOptions } from './types.js'

export interface ResolvedPolicy {
  name: string
  limit: number
  windowMs: number
}

const policyName = /^[A-Za-z0-9_-]{1,32}$/

function limitValue(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `rateLimit: ${name} must be a whole number ≥ 0 (e.g. 100; 0 refuses every request); got ${describeValue(value)}.`,
    )
  }
  return value
}

/** `limit`/`window`, or `policies`, as the list of policies every request is checked against. */
export function parsePolicies(options: RateLimitOptions): ResolvedPolicy[] {
  if (options.policies !== undefined) {
    if (options.limit !== undefined || options.window !== undefined) {
      throw new TypeError('rateLimit: pass either limit/window or policies, not both. Move limit/window into a policy.')
    }
    if (!Array.isArray(options.policies) || options.policies.length === 0) {
      throw new TypeError(
        `rateLimit: policies must be a non-empty array such as [{ name: 'burst', limit: 5, window: '1 m' }]; got ${describeValue(options.policies)}.`,
      )
    }
    const names = new Set<string>()
    return options.policies.map((policy: unknown, index) => {
      if (typeof policy !== 'object' || policy === null) {
        throw new TypeError(
          `rateLimit: policies[${index}] must be an object { name, limit, window }; got ${describeValue(policy)}.`,
        )
      }
      const { name = `p${index + 1}`, limit, window } = policy as Record<string, unknown>
      if (typeof name !== 'string' || !policyName.test(name)) {
        throw new TypeError(
          `rateLimit: policies[${index}].name must be 1–32 letters, digits, _ or -; got ${describeValue(name)}.`,
        )
      }
      if (names.has(name))
        throw new TypeError(
          `rateLimit: policies[${index}].name "${name}" is used twice; give each policy its own name.`,
        )
      names.add(name)
      return {
        name,
        limit: limitValue(limit, `policies[${index}].limit`),
        windowMs: parseDuration(window, `rateLimit: policies[${index}].window`),
      }
    })
  }
  if (options.limit === undefined) {
    throw new TypeError(
      "rateLimit: set limit (and window), e.g. rateLimit({ redis, limit: 100, window: '1 m' }), or policies.",
    )
  }
  return [
    {
      name: 'default',
      limit: typeof options.limit === 'function' ? 1 : limitValue(options.limit, 'limit'),
      windowMs: parseDuration(options.window ?? 60_000, 'rateLimit: window'),
    },
  ]
}
