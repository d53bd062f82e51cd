import { memoryClient } from '@rediware/redis'
import { rateLimit, type RateLimitOptions } from '@rediware/rate-limit'

const redis = memoryClient()

describe('bad options are rejected at construction, naming the option', () => {
  test.each<[string, unknown, typeof TypeError | typeof RangeError, RegExp]>([
    ['not an object', 5, TypeError, /options must be an object/],
    ['no limit', { redis }, TypeError, /set limit/],
    ['limit negative', { redis, limit: -1 }, RangeError, /limit must be a whole number ≥ 0/],
    ['limit fractional', { redis, limit: 1.5 }, RangeError, /limit must be a whole number ≥ 0/],
    ['standardHeaders', { redis, limit: 5, standardHeaders: 'draft-5' }, TypeError, /standardHeaders must be/],
    [
      'headers with standardHeaders',
      { redis, limit: 5, headers: 'draft', standardHeaders: 'draft-7' },
      TypeError,
      /either headers or standardHeaders/,
    ],
    ['requestPropertyName', { redis, limit: 5, requestPropertyName: 'a b' }, TypeError, /requestPropertyName/],
    ['bad window string', { redis, limit: 5, window: '5 parsecs' }, TypeError, /window/],
    ['zero window', { redis, limit: 5, window: 0 }, RangeError, /window/],
    [
      'limit and policies',
      { redis, limit: 5, policies: [{ limit: 1, window: 1000 }] },
      TypeError,
      /either limit\/window or policies/,
    ],
    ['empty policies', { redis, policies: [] }, TypeError, /policies must be a non-empty array/],
    [
      'duplicate policy names',
      {
        redis,
        policies: [
          { name: 'a', limit: 1, window: 1000 },
          { name: 'a', limit: 2, window: 2000 },
        ],
      },
      TypeError,
      /used twice/,
    ],
    [
      'bad policy name',
      { redis, policies: [{ name: 'a b{', limit: 1, window: 1000 }] },
      TypeError,
      /policies\[0\]\.name/,
    ],
    ['policy limit', { redis, policies: [{ limit: -1, window: 1000 }] }, RangeError, /policies\[0\]\.limit/],
    ['algorithm', { redis, limit: 5, algorithm: 'leaky' }, TypeError, /algorithm must be one of/],
    ['cost', { redis, limit: 5, cost: -1 }, RangeError, /cost must be a non-negative integer/],
    ['headers', { redis, limit: 5, headers: 'draft-7' }, TypeError, /headers must be/],
    ['onStoreError', { redis, limit: 5, onStoreError: 'ignore' }, TypeError, /onStoreError must be/],
    ['redis', { redis: { hello: 1 }, limit: 5 }, TypeError, /redis must be an ioredis/],
    ['key', { redis, limit: 5, key: 'ip' }, TypeError, /key must be a function/],
    ['allowList entry', { redis, limit: 5, allowList: ['10.0.0.0/33'] }, TypeError, /allowList entry/],
    ['prefix with braces', { redis, limit: 5, prefix: '{x}' }, TypeError, /prefix/],
    ['timeout', { redis, limit: 5, timeout: -5 }, RangeError, /timeout/],
    ['ipv6Subnet', { redis, limit: 5, ipv6Subnet: 200 }, RangeError, /ipv6Subnet/],
    [
      'unknown option (typo)',
      { redis, limt: 5 },
      TypeError,
      /unknown option "limt". Known options: redis, limiter, limit, window/,
    ],
    ["express-rate-limit's max", { redis, max: 5 }, TypeError, /unknown option "max"; use limit\./],
    [
      "express-rate-limit's windowMs",
      { redis, limit: 5, windowMs: 60_000 },
      TypeError,
      /unknown option "windowMs"; use window/,
    ],
    [
      "express-rate-limit's keyGenerator",
      { redis, limit: 5, keyGenerator: () => 'k' },
      TypeError,
      /unknown option "keyGenerator"; use key\./,
    ],
    ["rate-limiter-flexible's points", { redis, points: 5 }, TypeError, /unknown option "points"; use limit\./],
    [
      'skipSuccessful and skipSuccessfulRequests disagreeing',
      { redis, limit: 5, skipSuccessful: true, skipSuccessfulRequests: false },
      TypeError,
      /same option and disagree/,
    ],
    ['skipFailed not a boolean', { redis, limit: 5, skipFailed: 'yes' }, TypeError, /skipFailed/],
    ['limiter', { limiter: {}, limit: 5 }, TypeError, /limiter must be an @upstash\/ratelimit/],
    ['statusCode', { redis, limit: 5, statusCode: 200 }, RangeError, /statusCode/],
  ])('%s', (_name, options, errorType, message) => {
    expect(() => rateLimit(options as RateLimitOptions)).toThrow(errorType)
    expect(() => rateLimit(options as RateLimitOptions)).toThrow(message)
  })

  test('without redis it runs in memory and warns once', () => {
    const warnings: string[] = []
    const warn = (message: string) => warnings.push(message)
    rateLimit({ limit: 5, warn })
    rateLimit({ limit: 5, warn })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/memory|in-process|single/i)
  })
})
