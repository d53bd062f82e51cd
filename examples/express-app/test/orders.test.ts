import type { Server } from 'node:http'
import { describeBackends, waitFor } from '@rediware/test-utils'
import request from 'supertest'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { ordersQueue, startOrderWorker } from '../src/orders.js'
import { alice, bob, close, listen, sessionCookie, testPglite } from './helpers.js'

let db: Database
beforeAll(async () => {
  db = await testPglite()
}, 60_000)
afterAll(async () => {
  await db?.close()
})

describeBackends('example app: orders through the queue', (backend) => {
  let counter = 0
  const servers: Server[] = []
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close))
    await Promise.all(closers.splice(0).map((closeIt) => closeIt()))
  })

  async function setup(withWorker: boolean) {
    const config = loadConfig({
      KEY_PREFIX: `${backend.prefix}orders${++counter}:`,
      SESSION_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    })
    const orders = ordersQueue(backend.client(), config.keyPrefix, () => undefined)
    if (withWorker) {
      const worker = startOrderWorker(orders)
      closers.push(() => worker.close())
    }
    const server = await listen(createApp({ redis: backend.client(), db, config, orders, warn: () => undefined }))
    servers.push(server)
    const cookieOf = async (user: { email: string; password: string }) =>
      sessionCookie(await request(server).post('/api/login').send(user).expect(200)) ?? ''
    return { server, orders, cookieOf }
  }

  it('an order with an Idempotency-Key is enqueued once; the worker confirms it; its state is on the API', async () => {
    const { server, cookieOf } = await setup(true)
    const cookie = await cookieOf(alice)
    await request(server).post('/api/orders').send({ productId: 1 }).expect(401)
    await request(server)
      .post('/api/orders')
      .set('Cookie', cookie)
      .send({ productId: 1 })
      .expect(400, { error: 'This request needs an Idempotency-Key header.' })
    await request(server)
      .post('/api/orders')
      .set('Cookie', cookie)
      .set('Idempotency-Key', 'bad')
      .send({ productId: 'one' })
      .expect(400)
    const first = await request(server)
      .post('/api/orders')
      .set('Cookie', cookie)
      .set('Idempotency-Key', 'order-1')
      .send({ productId: 1, quantity: 2 })
      .expect(202)
    const again = await request(server)
      .post('/api/orders')
      .set('Cookie', cookie)
      .set('Idempotency-Key', 'order-1')
      .send({ productId: 1, quantity: 2 })
      .expect(202)
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.body.order.id).toBe(first.body.order.id)
    await request(server)
      .post('/api/orders')
      .set('Cookie', cookie)
      .set('Idempotency-Key', 'order-1')
      .send({ productId: 2 })
      .expect(422)
    const orderId: string = first.body.order.id
    await waitFor(
      async () =>
        (await request(server).get(`/api/orders/${orderId}`).set('Cookie', cookie)).body.job?.state === 'completed',
      {
        description: 'the confirmation job to complete',
      },
    )
    const state = await request(server).get(`/api/orders/${orderId}`).set('Cookie', cookie).expect(200)
    expect(state.body).toMatchObject({
      order: { id: orderId, productId: 1, quantity: 2 },
      job: { state: 'completed', attempt: 1, result: { to: 'u-alice' } },
    })
    await request(server)
      .get(`/api/orders/${orderId}`)
      .set('Cookie', await cookieOf(bob))
      .expect(404)
  })

  it('/admin/queues is the demo user’s only', async () => {
    const { server, orders, cookieOf } = await setup(false)
    await orders.add({ orderId: 'x', userId: 'u-alice', productId: 1, quantity: 1 })
    await request(server).get('/admin/queues/').expect(403)
    await request(server)
      .get('/admin/queues/api/counts')
      .set('Cookie', await cookieOf(bob))
      .expect(403)
    const counts = await request(server)
      .get('/admin/queues/api/counts')
      .set('Cookie', await cookieOf(alice))
      .expect(200)
    expect(counts.body.waiting).toBe(1)
    const page = await request(server)
      .get('/admin/queues/')
      .set('Cookie', await cookieOf(alice))
      .expect(200)
    expect(page.text).toContain('order-confirmation')
  })
})
