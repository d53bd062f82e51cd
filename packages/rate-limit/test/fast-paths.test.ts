import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { type DecisionSource, rateLimit } from '@rediware/rate-limit'

let counter = 0

const problem = (retryAfter: number) =>
  JSON.stringify({
    type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
    title: 'Too Many Requests',
    status: 429,
    detail: `Rate limit exceeded; retry in ${retryAfter} s.`,
    'violated-policies': ['default'],
  })

describeBackends('the default configuration (IP key, fixed cost)', (backend) => {
  test.each(expressVersions.map((version) => [version.name, version] as const))(
    'answers from Redis, then from the block cache, with the same headers and problem+json body (%s)',
    async (_name, version) => {
      const sources: DecisionSource[] = []
      const app = version.create()
      app.use(
        rateLimit({
          redis: backend.client(),
          prefix: `${backend.prefix}fast-${counter++}:`,
          limit: 1,
          window: '1 h',
          onLimited: (_req, info) => sources.push(info.source),
        }),
      )
      app.get('/', (_req, res) => {
        res.json({ ok: true })
      })
      const admitted = await request(app).get('/')
      expect(admitted.status).toBe(200)
      expect(admitted.headers['ratelimit-policy']).toBe('"default";q=1;w=3600')
      expect(admitted.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/)
      for (const round of [0, 1]) {
        const limited = await request(app).get('/')
        expect(limited.status).toBe(429)
        const retryAfter = Number(limited.headers['retry-after'])
        expect(retryAfter).toBeGreaterThanOrEqual(1)
        expect(retryAfter).toBeLessThanOrEqual(7200)
        expect(limited.text).toBe(problem(retryAfter))
        expect(limited.headers['content-type']).toBe('application/problem+json; charset=utf-8')
        expect(Number(limited.headers['content-length'])).toBe(Buffer.byteLength(limited.text))
        expect(limited.headers['ratelimit-policy']).toBe('"default";q=1;w=3600')
        expect(limited.headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/)
        expect(limited.headers['x-ratelimit-remaining']).toBe('0')
        expect(sources[round]).toBe(round === 0 ? 'redis' : 'block-cache')
      }
      const head = await request(app).head('/')
      expect(head.status).toBe(429)
      expect(head.text ?? '').toBe('')
      expect(sources).toEqual(['redis', 'block-cache', 'block-cache'])
    },
  )

  test('a throwing default-key path still reaches the error handler (Express 5)', async () => {
    const app = expressVersions[1].create()
    app.set('trust proxy', () => {
      throw new Error('trust function failed')
    })
    app.use(
      rateLimit({
        redis: backend.client(),
        prefix: `${backend.prefix}fast-${counter++}:`,
        limit: 5,
        window: '1 h',
        warn: () => undefined,
      }),
    )
    app.get('/', (_req, res) => {
      res.send('ok')
    })
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).send(error.message)
    })
    const res = await request(app).get('/').set('X-Forwarded-For', '1.2.3.4')
    expect(res.status).toBe(500)
    expect(res.text).toBe('trust function failed')
  })
})
