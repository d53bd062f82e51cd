import { memoryClient } from '@rediware/redis'
import { describeBackends, describeExpress, expressVersions } from '@rediware/test-utils'
import request from 'supertest'
import { createLimiter, rateLimit } from '@rediware/rate-limit'
import { limitedApp, manualClock } from './helpers.js'

let counter = 0
const uniqueKey = () => `compliant-${Date.now()}-${counter++}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Deterministic pseudo-random gaps (a fixed seed, so a failure replays). */
function gaps(seed: number) {
  let state = seed
  return (max: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state % (max + 1)
  }
}

/**
 * Times of a client that never sends more than `limit` requests in any `window`-long interval
 * (half-open): request i is at least `window` after request i - limit. Bursts and pauses mixed.
 */
function compliantTimes(limit: number, window: number, count: number, seed: number): number[] {
  const next = gaps(seed)
  const times: number[] = []
  let now = 0
  for (let index = 0; index < count; index++) {
    now += next(3) === 0 ? next(window) : next(2)
    const earliest = index >= limit ? (times[index - limit] ?? 0) + window : 0
    now = Math.max(now, earliest)
    times.push(now)
  }
  return times
}

describeExpress('the default algorithm never refuses a client within the limit (controlled clock)', (createApp) => {
  test.each([
    [1, 2_000],
    [2, 1_000],
    [5, 10_000],
    [50, 60_000],
  ])('limit %i per %i ms, over HTTP', async (limit, window) => {
    const clock = manualClock()
    const { app } = limitedApp(createApp, {
      redis: memoryClient({ clock: clock.now }),
      limit,
      window,
      key: () => 'client',
    })
    const start = clock.now()
    const refused: number[] = []
    for (const at of compliantTimes(limit, window, limit * 6 + 10, limit + window)) {
      clock.set(start + at)
      const res = await request(app).get('/')
      if (res.status !== 200) refused.push(at)
    }
    expect(refused).toEqual([])
    // The limit still holds: one more request in the last window is refused, and Retry-After is within the window.
    for (let index = 0; index < limit; index++) await request(app).get('/')
    const over = await request(app).get('/')
    expect(over.status).toBe(429)
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(Math.ceil(window / 1000))
  })

  test('the issue scenario: limit 1 per 2 s, one request every 2.1 s: none of 8 refused, then one per window', async () => {
    const clock = manualClock()
    const { app } = limitedApp(createApp, {
      redis: memoryClient({ clock: clock.now }),
      limit: 1,
      window: '2 s',
      key: () => 'client',
    })
    const statuses: number[] = []
    for (let index = 0; index < 8; index++) {
      statuses.push((await request(app).get('/')).status)
      clock.advance(2_100)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200])
    await request(app).get('/')
    clock.advance(1_999)
    const early = await request(app).get('/')
    expect(early.status).toBe(429)
    expect(Number(early.headers['retry-after'])).toBe(1)
  })
})

describe('the default algorithm at and beyond the sliding-log bound (createLimiter, controlled clock)', () => {
  test.each([1_000, 5_000])('limit %i: a compliant client is never refused', async (limit) => {
    const clock = manualClock()
    const limiter = createLimiter({ redis: memoryClient({ clock: clock.now }), limit, window: '10 s' })
    const start = clock.now()
    let refused = 0
    for (const at of compliantTimes(limit, 10_000, limit * 3, 7)) {
      clock.set(start + at)
      if (!(await limiter.limit('client')).allowed) refused++
    }
    expect(refused).toBe(0)
  })

  test('limit 1,000 (sliding log) is exact: never more than the limit in any window', async () => {
    const clock = manualClock()
    const limiter = createLimiter({ redis: memoryClient({ clock: clock.now }), limit: 1_000, window: '10 s' })
    const admitted: number[] = []
    const start = clock.now()
    for (let step = 0; step < 4_000; step++) {
      clock.set(start + step * 7)
      if ((await limiter.limit('greedy')).allowed) admitted.push(step * 7)
    }
    let worst = 0
    for (let index = 0, from = 0; index < admitted.length; index++) {
      while ((admitted[from] ?? 0) <= (admitted[index] ?? 0) - 10_000) from++
      worst = Math.max(worst, index - from + 1)
    }
    expect(worst).toBe(1_000)
  })
})

describeBackends('the default algorithm on a real store: compliant clients, real time', (backend) => {
  test.each(expressVersions.map((version) => [version.name, version] as const))(
    'limit 1 per 300 ms every 450 ms, and bursts of 3 per 300 ms every 450 ms: none refused (%s)',
    async (_name, version) => {
      const single = uniqueKey()
      const { app } = limitedApp(version.create, {
        redis: backend.client(),
        prefix: backend.prefix,
        limit: 1,
        window: 300,
        key: () => single,
      })
      const statuses: number[] = []
      const started = Date.now()
      for (let index = 0; index < 6; index++) {
        await sleep(Math.max(0, started + index * 450 - Date.now()))
        statuses.push((await request(app).get('/')).status)
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200])

      const bursty = uniqueKey()
      const burst = limitedApp(version.create, {
        redis: backend.client(),
        prefix: backend.prefix,
        limit: 3,
        window: 300,
        key: () => bursty,
      })
      const burstStatuses: number[] = []
      const burstStart = Date.now()
      for (let round = 0; round < 4; round++) {
        await sleep(Math.max(0, burstStart + round * 450 - Date.now()))
        const results = await Promise.all([1, 2, 3].map(() => request(burst.app).get('/')))
        burstStatuses.push(...results.map((res) => res.status))
      }
      expect(burstStatuses).toEqual(new Array(12).fill(200))
      await sleep(Math.max(0, burstStart + 4 * 450 - Date.now()))
      const over = await Promise.all([1, 2, 3, 4].map(() => request(burst.app).get('/')))
      expect(over.map((res) => res.status).sort()).toEqual([200, 200, 200, 429])
    },
  )

  test('a limit above the sliding-log bound counts on the store too (token bucket keys)', async () => {
    const key = uniqueKey()
    const limiter = rateLimit({
      redis: backend.client(),
      prefix: backend.prefix,
      limit: 1_500,
      window: '1 h',
      key: () => key,
    })
    const app = expressVersions[1].create()
    app.get('/', limiter, (req, res) => {
      res.json({ remaining: req.rateLimit?.remaining })
    })
    expect((await request(app).get('/')).body).toEqual({ remaining: 1_499 })
    expect((await request(app).get('/')).body).toEqual({ remaining: 1_498 })
    await limiter.reset(key)
    expect((await request(app).get('/')).body).toEqual({ remaining: 1_499 })
  })
})
