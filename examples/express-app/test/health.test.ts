import request from 'supertest'
import { describeBackends } from '@rediware/test-utils'
import { createApp } from '../src/app.js'

describeBackends('example app /health', (backend) => {
  it('reports the backend kind and its state', async () => {
    const app = createApp({ redis: backend.client() })
    const response = await request(app).get('/health').expect(200)
    expect(response.body).toEqual({ backend: backend.client().kind, state: 'ready', reachable: true })
  })
})
