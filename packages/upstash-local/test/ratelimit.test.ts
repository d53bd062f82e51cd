import { Ratelimit } from '@upstash/ratelimit'
import { Redis as UpstashRedis } from '@upstash/redis'
import { type Harness, startHarness, TOKEN } from './helpers.js'

/** @upstash/ratelimit 2.2 (scripts start with `#!lua flags=allow-key-locking`) against stock Redis. */
let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(async () => {
  await h.stop()
})
beforeEach(async () => {
  await h.io.flushdb()
  await h.io.script('FLUSH')
  await h.io.config('RESETSTAT')
})

type Limiter = ConstructorParameters<typeof Ratelimit>[0]['limiter']
// Hour-long windows: with 10 s windows a test that straddles a window boundary (about 1 run in 20)
// sees the previous window's weight or a refill, and getRemaining() answers 1 instead of 0.
const algorithms: Array<[string, () => Limiter]> = [
  ['slidingWindow(2, "1 h")', () => Ratelimit.slidingWindow(2, '1 h')],
  ['fixedWindow(2, "1 h")', () => Ratelimit.fixedWindow(2, '1 h')],
  ['tokenBucket(1, "1 h", 2)', () => Ratelimit.tokenBucket(1, '1 h', 2)],
]

async function commandCalls(name: string): Promise<number> {
  const info = await h.io.info('commandstats')
  const match = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)
  return match?.[1] === undefined ? 0 : Number(match[1])
}

describe.each([true, false])('auto-pipelining %s', (enableAutoPipelining) => {
  test.each(algorithms)('%s: exact allow/deny counts', async (_label, limiter) => {
    const redis = new UpstashRedis({ url: h.server.url, token: TOKEN, enableAutoPipelining, enableTelemetry: false })
    const ratelimit = new Ratelimit({ redis, limiter: limiter(), ephemeralCache: false, timeout: 0, prefix: 'rl-test' })
    const results = []
    for (let i = 0; i < 4; i++) results.push(await ratelimit.limit('u1'))
    expect(results.map((r) => r.success)).toEqual([true, true, false, false])
    expect(results.map((r) => r.remaining)).toEqual([1, 0, 0, 0])
    expect(results.map((r) => r.limit)).toEqual([2, 2, 2, 2])
    expect(results.map((r) => r.reason)).toEqual([undefined, undefined, undefined, undefined])
    // Another identifier has its own budget.
    expect((await ratelimit.limit('u2')).success).toBe(true)
    // Only the first call fell back to EVAL: the original SHA maps to the rewritten script.
    expect(await commandCalls('eval')).toBe(1)
    expect(await commandCalls('evalsha')).toBeGreaterThanOrEqual(4)
    // getRemaining and resetUsedTokens run their own scripts.
    const remaining = await ratelimit.getRemaining('u1')
    expect(remaining.remaining).toBe(0)
    await ratelimit.resetUsedTokens('u1')
    expect((await ratelimit.limit('u1')).success).toBe(true)
  })
})
