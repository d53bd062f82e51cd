import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import { type RateLimitInfo, type RateLimitOptions, rateLimit } from '@rediware/rate-limit'
import { parseSfList } from './helpers.js'

let counter = 0
const uniqueKey = (name: string) => `${name}-${Date.now()}-${counter++}`
const versions = expressVersions.map((version) => [version.name, version] as const)

/** What express-rate-limit users carry over: its handler shape, limits per request, its headers, req.rateLimit fields. */
describeBackends('migrating from express-rate-limit', (backend) => {
  const appWith = (
    create: (typeof expressVersions)[number]['create'],
    options: Partial<RateLimitOptions>,
    key = uniqueKey('k'),
  ) => {
    const app = create()
    const limiter = rateLimit({
      redis: backend.client(),
      prefix: backend.prefix,
      window: '1 m',
      key: () => key,
      ...options,
    })
    app.get('/', limiter, (req, res) => {
      res.json(req.rateLimit ?? null)
    })
    return { app, limiter, key }
  }

  test.each(versions)(
    'handler(req, res, next, options) written for express-rate-limit reads statusCode and message (%s)',
    async (_name, version) => {
      const { app } = appWith(version.create, {
        limit: 1,
        statusCode: 429,
        message: 'Too many requests, please try again later.',
        handler: (_req, res, _next, options) => {
          res.status(options.statusCode).send(options.message)
        },
      })
      expect((await request(app).get('/')).status).toBe(200)
      const limited = await request(app).get('/')
      expect(limited.status).toBe(429)
      expect(limited.text).toBe('Too many requests, please try again later.')

      const { app: withDefaults } = appWith(version.create, {
        limit: 1,
        handler: (_req, res, _next, options) => {
          res
            .status(options.statusCode)
            .json({ message: options.message, used: options.used, limit: options.limit, windowMs: options.windowMs })
        },
      })
      await request(withDefaults).get('/')
      const defaulted = await request(withDefaults).get('/')
      expect(defaulted.status).toBe(429)
      expect(defaulted.body).toMatchObject({
        message: { status: 429, title: 'Too Many Requests' },
        used: 2,
        limit: 1,
        windowMs: 60_000,
      })
    },
  )

  test.each(versions)(
    'limit as an async function of the request (plans), and limit 0 blocks all (%s)',
    async (_name, version) => {
      const user = uniqueKey('u')
      const app = version.create()
      const limiter = rateLimit({
        redis: backend.client(),
        prefix: backend.prefix,
        window: '1 m',
        key: (req: Request) => `${user}:${String(req.query.plan)}`,
        limit: async (req: Request) => ({ free: 1, pro: 3, banned: 0 })[String(req.query.plan)] ?? 1,
      })
      app.get('/', limiter, (req, res) => {
        res.json({ limit: req.rateLimit?.limit, remaining: req.rateLimit?.remaining })
      })
      const statuses = async (plan: string, count: number) => {
        const out: number[] = []
        for (let index = 0; index < count; index++) out.push((await request(app).get(`/?plan=${plan}`)).status)
        return out
      }
      expect(await statuses('free', 2)).toEqual([200, 429])
      expect(await statuses('pro', 4)).toEqual([200, 200, 200, 429])
      expect((await limiter.get(`${user}:pro`, 3))[0]).toMatchObject({ limit: 3, remaining: 0 })
      expect(await statuses('banned', 2)).toEqual([429, 429])
      const pro = await request(app).get('/?plan=pro')
      expect(parseSfList(String(pro.headers['ratelimit-policy']))).toEqual([
        { value: 'default', params: { q: 3, w: 60 } },
      ])

      const { app: blocked } = appWith(version.create, { limit: 0 })
      const refused = await request(blocked).get('/')
      expect(refused.status).toBe(429)
      expect(refused.headers['x-ratelimit-limit']).toBe('0')
    },
  )

  test.each(versions)(
    "standardHeaders 'draft-6' | 'draft-7' | 'draft-8' and legacyHeaders as express-rate-limit sends them (%s)",
    async (_name, version) => {
      const { app: six } = appWith(version.create, { limit: 5, standardHeaders: 'draft-6', legacyHeaders: false })
      const draft6 = await request(six).get('/')
      expect(draft6.headers['ratelimit-policy']).toBe('5;w=60')
      expect(draft6.headers['ratelimit-limit']).toBe('5')
      expect(draft6.headers['ratelimit-remaining']).toBe('4')
      expect(Number(draft6.headers['ratelimit-reset'])).toBeGreaterThan(0)
      expect(Number(draft6.headers['ratelimit-reset'])).toBeLessThanOrEqual(60)
      expect(draft6.headers.ratelimit).toBeUndefined()
      expect(draft6.headers['x-ratelimit-limit']).toBeUndefined()

      const { app: seven } = appWith(version.create, { limit: 5, standardHeaders: 'draft-7', legacyHeaders: false })
      const draft7 = await request(seven).get('/')
      expect(draft7.headers['ratelimit-policy']).toBe('5;w=60')
      expect(draft7.headers.ratelimit).toMatch(/^limit=5, remaining=4, reset=([1-9]|[1-5]\d|60)$/)
      expect(draft7.headers['ratelimit-limit']).toBeUndefined()

      const { app: eight } = appWith(version.create, { limit: 5, standardHeaders: 'draft-8' })
      const draft8 = await request(eight).get('/')
      expect(parseSfList(String(draft8.headers.ratelimit))[0]?.params.r).toBe(4)
      const before = Math.floor(Date.now() / 1000)
      // legacyHeaders defaults to true, as in express-rate-limit, with X-RateLimit-Reset as a Unix time.
      expect(draft8.headers['x-ratelimit-remaining']).toBe('4')
      const reset = Number(draft8.headers['x-ratelimit-reset'])
      expect(reset).toBeGreaterThanOrEqual(before)
      expect(reset).toBeLessThanOrEqual(before + 62)
      expect(draft8.headers.date).toBeDefined()

      const { app: ours } = appWith(version.create, { limit: 5 })
      const defaults = await request(ours).get('/')
      expect(Number(defaults.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60)
      expect(parseSfList(String(defaults.headers.ratelimit))[0]?.params.r).toBe(4)
    },
  )

  test.each(versions)(
    'req.rateLimit.used and resetTime, requestPropertyName, resetKey (%s)',
    async (_name, version) => {
      const { app, limiter, key } = appWith(version.create, { limit: 2 })
      const first = (await request(app).get('/')).body as RateLimitInfo & { resetTime: string }
      expect(first.used).toBe(1)
      const resetAt = Date.parse(first.resetTime)
      expect(resetAt).toBeGreaterThan(Date.now() - 5_000)
      expect(resetAt).toBeLessThanOrEqual(Date.now() + 60_000)
      expect(((await request(app).get('/')).body as RateLimitInfo).used).toBe(2)
      expect((await request(app).get('/')).status).toBe(429)
      await limiter.resetKey(key)
      const again = await request(app).get('/')
      expect(again.status).toBe(200)
      expect((again.body as RateLimitInfo).used).toBe(1)

      const named = version.create()
      named.get(
        '/',
        rateLimit({
          redis: backend.client(),
          prefix: backend.prefix,
          limit: 3,
          key: () => uniqueKey('n'),
          requestPropertyName: 'quota',
        }),
        (req, res) => {
          const own = req as unknown as { quota?: RateLimitInfo }
          res.json({
            remaining: own.quota?.remaining,
            resetTime: own.quota?.resetTime instanceof Date,
            rateLimit: req.rateLimit ?? null,
          })
        },
      )
      expect((await request(named).get('/')).body).toEqual({ remaining: 2, resetTime: true, rateLimit: null })
    },
  )
})
