import { describeBackends, describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import { rateLimit } from '@rediware/rate-limit'

// The typed read of req.params is the point: with a middleware typed as a plain RequestHandler, Express'
// types infer ParamsDictionary for the whole route and `req.params.id` is `string | undefined`.
describeBackends('rateLimit() keeps the route parameters Express infers from the path', (backend) => {
  describeExpress('route', (createApp, version) => {
    test('the handler after the limiter reads req.params.id as a string', async () => {
      const app = createApp()
      const limiter = rateLimit({
        redis: backend.client(),
        prefix: `${backend.prefix}params-${version}:`,
        limit: 5,
        window: '1 m',
      })
      app.get('/items/:id', limiter, (req, res) => {
        const id: string = req.params.id
        res.send(`item ${id.toUpperCase()}`)
      })
      const response = await request(app).get('/items/ab12').expect(200)
      expect(response.text).toBe('item AB12')
      expect(response.headers['ratelimit-policy']).toBeDefined()
    })
  })
})
