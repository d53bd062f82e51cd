import { describeValue } from '@rediware/redis'
import type { RateLimitOptions, StandardHeadersDraft } from './types.js'

/** Which header sets to send: the draft format (`false` none) and the legacy `X-RateLimit-Reset` form. */
export interface HeaderFormats {
  standard: StandardHeadersDraft | false
  /** `delta`: seconds until reset (ours); `epoch`: a Unix time (express-rate-limit's). */
  legacy: 'delta' | 'epoch' | false
}

/** Reads `headers`, or express-rate-limit's `standardHeaders`/`legacyHeaders` (its defaults when either is set). */
export function headerFormats(options: RateLimitOptions): HeaderFormats {
  const { standardHeaders, legacyHeaders } = options
  if (standardHeaders === undefined && legacyHeaders === undefined) {
    const mode = options.headers === undefined || options.headers === true ? 'both' : options.headers
    if (!(mode === false || mode === 'draft' || mode === 'legacy' || mode === 'both')) {
      throw new TypeError(
        `rateLimit: headers must be 'draft', 'legacy', 'both' or false; got ${describeValue(options.headers)}.`,
      )
    }
    return {
      standard: mode === 'draft' || mode === 'both' ? 'draft-8' : false,
      legacy: mode === 'legacy' || mode === 'both' ? 'delta' : false,
    }
  }
  if (options.headers !== undefined) {
    throw new TypeError(
      "rateLimit: pass either headers or standardHeaders/legacyHeaders (express-rate-limit's names), not both.",
    )
  }
  const drafts = ['draft-6', 'draft-7', 'draft-8']
  if (standardHeaders !== undefined && typeof standardHeaders !== 'boolean' && !drafts.includes(standardHeaders)) {
    throw new TypeError(
      `rateLimit: standardHeaders must be true, false, 'draft-6', 'draft-7' or 'draft-8'; got ${describeValue(standardHeaders)}.`,
    )
  }
  return {
    standard: standardHeaders === true ? 'draft-6' : (standardHeaders ?? false),
    legacy: legacyFlag(legacyHeaders) ? 'epoch' : false,
  }
}

function legacyFlag(value: unknown): boolean {
  if (value === undefined) return true
  if (typeof value !== 'boolean')
    throw new TypeError(`rateLimit: legacyHeaders must be true or false; got ${describeValue(value)}.`)
  return value
}
