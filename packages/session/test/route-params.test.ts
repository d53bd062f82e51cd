import { describeBackends, describeExpress } from '@rediware/test-utils'
import request from 'supertest'
import { saveBeforeResponse, session } from '../src/index.js'
import './app.js'

// The typed read of req.params is the point: with a middleware typed as a plain RequestHandler, Express'
// types infer ParamsDictionary for the whole route and `req.params.id` is `string | undefined`.
describeBackends('session() keeps the route parameters Express infers from the path', (backend) => {
  describeExpress('route', (createApp, version) => {
    test('handlers after session() and saveBeforeResponse() read req.params.id as a string', async () => {
      const app = createApp()
      const sessions = session({
        redis: backend.client(),
        prefix: `${backend.prefix}params-${version}:`,
        secret: 'route-params-secret-that-is-long-enough-0123',
        warn: () => undefined,
      })
      app.get('/items/:id', sessions, saveBeforeResponse(), (req, res) => {
        const id: string = req.params.id
        req.session.note = id
        res.send(`item ${id.toUpperCase()}`)
      })
      const response = await request(app).get('/items/ab12').expect(200)
      expect(response.text).toBe('item AB12')
      expect(String(response.headers['set-cookie'])).toMatch(/^connect\.sid=/)
    })
  })
})
