import { memoryClient } from '@rediware/redis'
import { describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import type { Algorithm, RateLimitInfo, RateLimitOptions } from '@rediware/rate-limit'
import { limitedApp, manualClock, parseSfList } from './helpers.js'

const algorithmsUnderTest: Algorithm[] = ['auto', 'fixed-window', 'sliding-window', 'token-bucket', 'sliding-log']

describeExpress('algorithms with a controlled clock', (createApp) => {
  function setup(options: Partial<RateLimitOptions> & { algorithm: Algorithm }) {
    const clock = manualClock()
    const redis = memoryClient({ clock: clock.now })
    const { app, limiter } = limitedApp(createApp, {
      redis,
      key: () => 'client',
      blockCache: false,
      ...(options.policies ? {} : { limit: 3, window: '10 s' }),
      ...options,
    })
    const hit = async (path = '/') => request(app).get(path)
    return { clock, hit, limiter }
  }

  describe.each(algorithmsUnderTest)('%s', (algorithm) => {
    test('admits the limit, then 429 with a truthful Retry-After', async () => {
      const { clock, hit } = setup({ algorithm })
      for (let index = 0; index < 3; index++) {
        const res = await hit()
        expect(res.status).toBe(200)
        expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - index))
        clock.advance(100)
      }
      const limited = await hit()
      expect(limited.status).toBe(429)
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(limited.body).toMatchObject({ status: 429, 'violated-policies': ['default'] })
      const retryAfter = Number(limited.headers['retry-after'])
      expect(Number.isInteger(retryAfter)).toBe(true)
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      clock.advance(retryAfter * 1000)
      expect((await hit()).status).toBe(200)
    })

    test('retryAfterMs is exact: 1 ms earlier is still limited, at it the request passes', async () => {
      const { clock, hit } = setup({
        algorithm,
        limit: 4,
        window: '1 s',
        handler: (_req, res, _next, info) => {
          res.status(429).json(info)
        },
      })
      let rejections = 0
      for (let step = 0; step < 40; step++) {
        const res = await hit()
        if (res.status === 429) {
          rejections++
          const info = res.body as RateLimitInfo
          expect(Number(res.headers['retry-after'])).toBe(Math.max(1, Math.ceil(info.retryAfterMs / 1000)))
          expect(info.retryAfterMs).toBeGreaterThan(0)
          clock.advance(info.retryAfterMs - 1)
          expect((await hit()).status).toBe(429)
          clock.advance(1)
          expect((await hit()).status).toBe(200)
        }
        clock.advance(37 + ((step * 53) % 211))
      }
      expect(rejections).toBeGreaterThan(0)
    })

    test('a cost larger than what remains is rejected and not charged', async () => {
      const { hit, clock } = setup({ algorithm, cost: (req) => Number(req.query.cost ?? 1), limit: 5, window: '1 m' })
      expect((await hit('/?cost=2')).status).toBe(200)
      clock.advance(10)
      const tooMuch = await hit('/?cost=4')
      expect(tooMuch.status).toBe(429)
      expect(tooMuch.headers['x-ratelimit-remaining']).toBe('3')
      clock.advance(10)
      const fits = await hit('/?cost=3')
      expect(fits.status).toBe(200)
      expect(fits.headers['x-ratelimit-remaining']).toBe('0')
    })

    test('several policies are checked atomically: all pass or nothing is charged', async () => {
      const { hit, clock, limiter } = setup({
        algorithm,
        policies: [
          { name: 'burst', limit: 2, window: '1 s' },
          { name: 'daily', limit: 5, window: '1 d' },
        ],
      })
      expect((await hit()).status).toBe(200)
      expect((await hit()).status).toBe(200)
      const rejected = await hit()
      expect(rejected.status).toBe(429)
      expect(rejected.body['violated-policies']).toEqual(['burst'])
      const daily = (await limiter.get('client')).find((policy) => policy.name === 'daily')
      expect(daily?.remaining).toBe(3)
      clock.advance(2_000)
      expect((await hit()).status).toBe(200)
      expect((await hit()).status).toBe(200)
      clock.advance(2_000)
      expect((await hit()).status).toBe(200)
      const dailyLimited = await hit()
      expect(dailyLimited.status).toBe(429)
      expect(dailyLimited.body['violated-policies']).toEqual(['daily'])
      const policy = parseSfList(String(dailyLimited.headers['ratelimit-policy']))
      expect(policy).toEqual([
        { value: 'burst', params: { q: 2, w: 1 } },
        { value: 'daily', params: { q: 5, w: 86400 } },
      ])
      const state = parseSfList(String(dailyLimited.headers.ratelimit))
      expect(state.map((item) => item.value)).toEqual(['burst', 'daily'])
      expect(state[1]?.params.r).toBe(0)
    })

    test('skipFailedRequests refunds the charge after a failed response', async () => {
      const { hit, limiter } = setup({ algorithm, skipFailedRequests: true })
      expect((await hit('/fail')).status).toBe(500)
      expect((await hit('/fail')).status).toBe(500)
      const [state] = await waitForRemaining(limiter.get, 3)
      expect(state?.remaining).toBe(3)
      expect((await hit('/')).status).toBe(200)
      const [after] = await limiter.get('client')
      expect(after?.remaining).toBe(2)
    })
  })

  test('fixed window: counts reset when the window from the first hit ends', async () => {
    const { clock, hit } = setup({ algorithm: 'fixed-window' })
    for (let index = 0; index < 3; index++) expect((await hit()).status).toBe(200)
    clock.advance(9_999)
    const limited = await hit()
    expect(limited.status).toBe(429)
    expect(limited.headers['retry-after']).toBe('1')
    clock.advance(1)
    expect((await hit()).status).toBe(200)
  })

  test('sliding window: the previous window is weighted by its overlap', async () => {
    const { clock, hit } = setup({ algorithm: 'sliding-window', limit: 10, window: '10 s' })
    clock.set(1_700_000_000_000) // a multiple of 10 s: the start of a window
    for (let index = 0; index < 10; index++) expect((await hit()).status).toBe(200)
    expect((await hit()).status).toBe(429)
    clock.advance(15_000) // halfway into the next window: previous 10 weigh ceil(5) = 5
    const res = await hit()
    expect(res.status).toBe(200)
    const info = res.body as RateLimitInfo
    expect(info.remaining).toBe(4)
  })

  test('token bucket: refills continuously, one token per window/limit', async () => {
    const { clock, hit } = setup({ algorithm: 'token-bucket', limit: 4, window: '4 s' })
    for (let index = 0; index < 4; index++) expect((await hit()).status).toBe(200)
    const limited = await hit()
    expect(limited.status).toBe(429)
    expect((limited.body as { detail: string }).detail).toContain('1 s')
    clock.advance(999)
    expect((await hit()).status).toBe(429)
    clock.advance(1)
    expect((await hit()).status).toBe(200)
    clock.advance(2_000)
    const two = await hit()
    expect((two.body as RateLimitInfo).remaining).toBe(1)
  })

  test('sliding log: exact, each unit leaves the window on its own', async () => {
    const { clock, hit } = setup({ algorithm: 'sliding-log', limit: 2, window: '1 s' })
    expect((await hit()).status).toBe(200)
    clock.advance(600)
    expect((await hit()).status).toBe(200)
    expect((await hit()).status).toBe(429)
    clock.advance(399)
    expect((await hit()).status).toBe(429)
    clock.advance(1)
    expect((await hit()).status).toBe(200)
    expect((await hit()).status).toBe(429)
  })
})

async function waitForRemaining(get: (key: string) => Promise<{ remaining: number }[]>, expected: number) {
  // The refund runs when the response finishes; poll the store (no sleeps) until it lands.
  for (let attempt = 0; attempt < 200; attempt++) {
    const state = await get('client')
    if (state[0]?.remaining === expected) return state
    await new Promise((resolve) => setImmediate(resolve))
  }
  return get('client')
}
