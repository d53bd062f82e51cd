import { describeExpress, expressVersions } from '@rediware/test-utils'
import request from 'supertest'

test('both Express majors are installed side by side', () => {
  expect(expressVersions.map((version) => version.name)).toEqual(['express4', 'express5'])
})

describeExpress('express app', (createApp, version) => {
  test('serves a GET through supertest', async () => {
    const app = createApp()
    app.get('/hello/:name', (req, res) => {
      res.json({ hello: req.params.name, version })
    })
    const response = await request(app).get('/hello/world').expect(200)
    expect(response.body).toEqual({ hello: 'world', version })
  })

  test('is the Express major it claims to be', async () => {
    const app = createApp()
    // Express 5 dropped app.del(); Express 4 still has it (deprecated).
    expect(typeof Reflect.get(app, 'del') === 'function').toBe(version === 'express4')
  })
})
