import { createCache } from '@rediware/cache'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { listen } from './helpers.js'

/** Stands in for a rate limiter in front of the cache: a header whose value changes per request. */
function countingMiddleware() {
  let served = 0
  return (_req: Request, res: Response, next: NextFunction): void => {
    served += 1
    res.setHeader('X-RateLimit-Remaining', String(100 - served))
    res.setHeader('X-Upstream', 'same every time')
    next()
  }
}

describeBackends('headers set before the cache', (backend) => {
  for (const version of expressVersions) {
    it(`are this request's on a hit, not the stored response's (${version.name})`, async () => {
      const cache = createCache({ redis: backend.client(), prefix: `${backend.prefix}${version.name}:upstream:` })
      const app = version.create()
      app.use(countingMiddleware())
      app.get('/item', cache.route({ ttl: '1 m' }), (_req, res) => {
        res.setHeader('X-From-Handler', 'stored')
        res.json({ ok: true })
      })
      const base = await listen(app)
      const miss = await request(base).get('/item').expect(200)
      expect(miss.headers['x-cache']).toBe('MISS')
      expect(miss.headers['x-ratelimit-remaining']).toBe('99')
      const remaining: string[] = []
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const hit = await request(base).get('/item').expect(200)
        expect(hit.headers['x-cache']).toBe('HIT')
        expect(hit.headers['x-from-handler']).toBe('stored')
        expect(hit.headers['x-upstream']).toBe('same every time')
        remaining.push(String(hit.headers['x-ratelimit-remaining']))
      }
      expect(remaining).toEqual(['98', '97', '96'])
    })
  }
})
