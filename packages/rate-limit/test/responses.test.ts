import { memoryClient } from '@rediware/redis'
import { describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import { rateLimit } from '@rediware/rate-limit'
import { parseSfList } from './helpers.js'

describeExpress('responses and headers', (createApp) => {
  test('stacked limiters append draft header items; legacy headers keep the most restrictive', async () => {
    const redis = memoryClient()
    const app = createApp()
    app.use(rateLimit({ redis, limit: 100, window: '1 m', key: () => 'k' }))
    app.use(
      rateLimit({ redis, prefix: 'second:', key: () => 'k', policies: [{ name: 'hourly', limit: 3, window: '1 h' }] }),
    )
    app.get('/', (_req, res) => {
      res.send('ok')
    })
    const res = await request(app).get('/')
    expect(parseSfList(String(res.headers['ratelimit-policy']))).toEqual([
      { value: 'default', params: { q: 100, w: 60 } },
      { value: 'hourly', params: { q: 3, w: 3600 } },
    ])
    const state = parseSfList(String(res.headers.ratelimit))
    expect(state.map((item) => [item.value, item.params.r])).toEqual([
      ['default', 99],
      ['hourly', 2],
    ])
    expect(res.headers['x-ratelimit-limit']).toBe('3')
    expect(res.headers['x-ratelimit-remaining']).toBe('2')
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(0)
  })

  test.each([
    ['draft', true, false],
    ['legacy', false, true],
    [false, false, false],
  ] as const)('headers: %s', async (mode, draft, legacy) => {
    const app = createApp()
    app.get('/', rateLimit({ redis: memoryClient(), limit: 2, headers: mode }), (_req, res) => {
      res.send('ok')
    })
    const res = await request(app).get('/')
    expect(res.headers.ratelimit !== undefined).toBe(draft)
    expect(res.headers['ratelimit-policy'] !== undefined).toBe(draft)
    expect(res.headers['x-ratelimit-remaining'] !== undefined).toBe(legacy)
  })

  test.each(['both', 'draft', 'legacy'] as const)(
    'headers: %s, after an earlier handler already sent the headers: counted, no header, no error',
    async (mode) => {
      const redis = memoryClient()
      const errors: unknown[] = []
      const app = createApp()
      app.use((_req, res, next) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' })
        res.write('early ')
        next()
      })
      const limiter = rateLimit({ redis, limit: 5, headers: mode, key: () => 'sent-early' })
      app.use(limiter)
      app.get('/', (_req, res) => {
        res.end('late')
      })
      app.use((error: unknown, _req: unknown, res: { end(): void }, _next: unknown) => {
        errors.push(error)
        res.end()
      })
      const res = await request(app).get('/')
      expect(res.status).toBe(200)
      expect(res.text).toBe('early late')
      expect(Object.keys(res.headers).filter((name) => name.includes('ratelimit'))).toEqual([])
      expect(errors).toEqual([])
      expect((await limiter.get('sent-early'))[0]?.remaining).toBe(4)
    },
  )

  test('req.rateLimit: per request, last stacked limiter wins, seen after a sub-app, assignable, absent without a limiter', async () => {
    const redis = memoryClient()
    const app = createApp()
    const sub = createApp()
    sub.use(rateLimit({ redis, prefix: 'sub:', limit: 7, key: (req) => `sub:${String(req.query.who)}` }))
    app.use('/inner', sub)
    app.use(
      '/stacked',
      rateLimit({ redis, prefix: 'a:', limit: 10, key: () => 'stacked' }),
      rateLimit({ redis, prefix: 'b:', limit: 20, key: () => 'stacked' }),
    )
    app.get('/stacked', (req, res) => {
      res.json({ limit: req.rateLimit?.limit, remaining: req.rateLimit?.remaining })
    })
    app.get('/inner', (req, res) => {
      res.json({ key: req.rateLimit?.key, limit: req.rateLimit?.limit })
    })
    app.get('/assigned', rateLimit({ redis, prefix: 'c:', limit: 5 }), (req, res) => {
      const seen = req.rateLimit?.limit
      req.rateLimit = undefined
      res.json({ seen, after: req.rateLimit ?? null })
    })
    app.get('/none', (req, res) => {
      res.json({ info: req.rateLimit ?? null, own: Object.keys(req).includes('rateLimit') })
    })
    expect((await request(app).get('/stacked')).body).toEqual({ limit: 20, remaining: 19 })
    const [alice, bob] = await Promise.all([request(app).get('/inner?who=alice'), request(app).get('/inner?who=bob')])
    expect([alice.body, bob.body]).toEqual([
      { key: 'sub:alice', limit: 7 },
      { key: 'sub:bob', limit: 7 },
    ])
    expect((await request(app).get('/assigned')).body).toEqual({ seen: 5, after: null })
    expect((await request(app).get('/none')).body).toEqual({ info: null, own: false })
  })

  test('message and handler replace the 429 body; dryRun never rejects', async () => {
    const redis = memoryClient()
    const app = createApp()
    const limited: string[] = []
    app.get('/text', rateLimit({ redis, prefix: 'a:', limit: 1, message: 'slow down' }), (_req, res) => {
      res.send('ok')
    })
    app.get('/json', rateLimit({ redis, prefix: 'b:', limit: 1, message: { error: 'limited' } }), (_req, res) => {
      res.send('ok')
    })
    app.get(
      '/handler',
      rateLimit({
        redis,
        prefix: 'c:',
        limit: 1,
        handler: (_req, res, _next, info) => {
          res.status(418).send(`${info.violated.join(',')}`)
        },
      }),
      (_req, res) => {
        res.send('ok')
      },
    )
    app.get(
      '/dry',
      rateLimit({ redis, prefix: 'd:', limit: 1, dryRun: true, onLimited: (_req, info) => limited.push(info.key) }),
      (req, res) => {
        res.json(req.rateLimit?.allowed)
      },
    )
    await request(app).get('/text')
    const text = await request(app).get('/text')
    expect(text.status).toBe(429)
    expect(text.text).toBe('slow down')
    await request(app).get('/json')
    expect((await request(app).get('/json')).body).toEqual({ error: 'limited' })
    await request(app).get('/handler')
    const handled = await request(app).get('/handler')
    expect(handled.status).toBe(418)
    expect(handled.text).toBe('default')
    await request(app).get('/dry')
    const dry = await request(app).get('/dry')
    expect(dry.status).toBe(200)
    expect(dry.body).toBe(false)
    expect(dry.headers['x-ratelimit-remaining']).toBe('0')
    expect(limited).toHaveLength(1)
  })

  test('skipSuccessfulRequests refunds successes only', async () => {
    const app = createApp()
    const limiter = rateLimit({
      redis: memoryClient(),
      limit: 2,
      window: '1 h',
      key: () => 'k',
      skipSuccessfulRequests: true,
    })
    app.get('/ok', limiter, (_req, res) => {
      res.send('ok')
    })
    app.get('/bad', limiter, (_req, res) => {
      res.status(400).send('bad')
    })
    for (let index = 0; index < 5; index++) expect((await request(app).get('/ok')).status).toBe(200)
    expect((await request(app).get('/bad')).status).toBe(400)
    expect((await request(app).get('/bad')).status).toBe(400)
    expect((await request(app).get('/bad')).status).toBe(429)
  })

  test('skipSuccessful and skipFailed are aliases of the long names', async () => {
    const app = createApp()
    const successes = rateLimit({
      redis: memoryClient(),
      limit: 1,
      window: '1 h',
      key: () => 'k',
      skipSuccessful: true,
    })
    const failures = rateLimit({ redis: memoryClient(), limit: 1, window: '1 h', key: () => 'k', skipFailed: true })
    app.get('/ok', successes, (_req, res) => {
      res.send('ok')
    })
    app.get('/bad', failures, (_req, res) => {
      res.status(500).send('bad')
    })
    for (let index = 0; index < 3; index++) {
      expect((await request(app).get('/ok')).status).toBe(200)
      expect((await request(app).get('/bad')).status).toBe(500)
    }
  })

  test('reset(key) and get(key)', async () => {
    const app = createApp()
    const limiter = rateLimit({ redis: memoryClient(), limit: 1, window: '1 h', key: () => 'user:1' })
    app.get('/', limiter, (_req, res) => {
      res.send('ok')
    })
    expect((await request(app).get('/')).status).toBe(200)
    expect((await request(app).get('/')).status).toBe(429)
    expect((await limiter.get('user:1'))[0]?.remaining).toBe(0)
    await limiter.reset('user:1')
    expect((await limiter.get('user:1'))[0]?.remaining).toBe(1)
    expect((await request(app).get('/')).status).toBe(200)
  })
})
