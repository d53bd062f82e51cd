import { memoryClient } from '@rediware/redis'
import { describeExpress } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import { rateLimit } from '@rediware/rate-limit'

/** Every object `req` inherits from, up to (not including) Object.prototype. */
function prototypesOf(req: Request): object[] {
  const chain: object[] = []
  for (let proto: object | null = Object.getPrototypeOf(req); proto !== null && proto !== Object.prototype; ) {
    chain.push(proto)
    proto = Object.getPrototypeOf(proto)
  }
  return chain
}

describeExpress('req.rateLimit', (createApp) => {
  test('is set on the request itself: no prototype in the process gains a rateLimit property', async () => {
    const app = createApp()
    let chain: object[] = []
    app.use(rateLimit({ redis: memoryClient(), limit: 5 }))
    app.get('/', (req, res) => {
      chain = prototypesOf(req)
      res.json({ own: Object.hasOwn(req, 'rateLimit'), remaining: req.rateLimit?.remaining })
    })
    const res = await request(app).get('/')
    expect(res.body).toEqual({ own: true, remaining: 4 })
    expect(chain.length).toBeGreaterThan(2)
    expect(chain.filter((proto) => Object.hasOwn(proto, 'rateLimit'))).toEqual([])
    // Another app in the same process, without rateLimit(), sees nothing of it.
    const other = createApp()
    other.get('/', (req, res) => {
      res.json({ has: 'rateLimit' in req })
    })
    expect((await request(other).get('/')).body).toEqual({ has: false })
  })

  test('is readable in a sub-app mounted after the limiter, and after the request leaves it', async () => {
    const app = createApp()
    const admin = createApp()
    admin.get('/', (req, res, next) => {
      res.locals.inside = req.rateLimit?.remaining
      next()
    })
    app.use(rateLimit({ redis: memoryClient(), limit: 5 }))
    app.use('/admin', admin)
    app.use('/admin', (req, res) => {
      res.json({ inside: res.locals.inside, after: req.rateLimit?.remaining })
    })
    expect((await request(app).get('/admin')).body).toEqual({ inside: 4, after: 4 })
  })

  test('a limiter inside a sub-app is seen by the parent app after the sub-app hands the request back', async () => {
    const app = createApp()
    const api = createApp()
    api.use(rateLimit({ redis: memoryClient(), limit: 3 }))
    api.use((_req, _res, next) => next())
    app.use('/api', api)
    app.use('/api', (req, res) => {
      res.json({ remaining: req.rateLimit?.remaining })
    })
    expect((await request(app).get('/api')).body).toEqual({ remaining: 2 })
  })
})
