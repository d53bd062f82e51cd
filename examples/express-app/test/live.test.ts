import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type RedisClient, toClient } from '@rediware/redis'
import type { Realtime } from '@rediware/realtime'
import { describeBackends, openStream, type SseStream, type TestBackend, waitFor } from '@rediware/test-utils'
import request from 'supertest'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { liveHub } from '../src/live.js'
import { ordersQueue, startOrderWorker } from '../src/orders.js'
import { alice, bob, close, listen, sessionCookie, testPglite } from './helpers.js'

let db: Database
beforeAll(async () => {
  db = await testPglite()
}, 60_000)
afterAll(async () => {
  await db?.close()
})

/** A second connection, as a second app process has (memory: one process, so its one client). */
function processClient(backend: TestBackend): { client: RedisClient; close(): Promise<void> } {
  switch (backend.name) {
    case 'memory':
      return { client: backend.client(), close: async () => undefined }
    case 'upstash':
      return { client: toClient(backend.newRaw(), { timeout: 2000 }), close: async () => undefined }
    default: {
      const raw = backend.newRaw()
      return { client: toClient(raw, { timeout: 2000 }), close: async () => raw.disconnect() }
    }
  }
}

describeBackends('example app: live events across app processes', (backend) => {
  let counter = 0
  const servers: Server[] = []
  const streams: SseStream[] = []
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close()
    await Promise.all(closers.splice(0).map((closeIt) => closeIt()))
    await Promise.all(servers.splice(0).map(close))
  })

  /** Two app processes on one Redis: A (with the order worker) and B, sharing sessions and channels. */
  async function twoProcesses() {
    const config = loadConfig({
      KEY_PREFIX: `${backend.prefix}live${++counter}:`,
      SESSION_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    })
    const start = async (redis: RedisClient, worker: boolean) => {
      const realtime: Realtime = liveHub(redis, config.keyPrefix, () => undefined)
      const orders = ordersQueue(redis, config.keyPrefix, () => undefined, realtime)
      const running = worker ? startOrderWorker(orders, realtime, () => undefined) : undefined
      closers.push(async () => {
        await running?.close()
        await realtime.close()
      })
      const server = await listen(createApp({ redis, db, config, orders, realtime, warn: () => undefined }))
      servers.push(server)
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
    }
    const second = processClient(backend)
    closers.push(() => second.close())
    const a = await start(backend.client(), true)
    const b = await start(second.client, false)
    const cookieOf = async (user: { email: string; password: string }) =>
      sessionCookie(await request(a.server).post('/api/login').send(user).expect(200)) ?? ''
    return { a, b, cookieOf }
  }

  const open = async (url: string, options: Parameters<typeof openStream>[1] = {}) => {
    const stream = await openStream(url, options)
    streams.push(stream)
    return stream
  }
  const positioned = (stream: SseStream) =>
    waitFor(() => stream.lastEventId !== '', { description: 'the stream position', interval: 5 })
  const stockOf = (stream: SseStream) =>
    stream.of('product').map((event) => JSON.parse(event.data) as { id: number; stock: number })

  it('a stock change on one process reaches a page on the other; a page that reconnects with Last-Event-ID misses nothing', async () => {
    const { a, b, cookieOf } = await twoProcesses()
    const cookie = await cookieOf(alice)
    const page = await open(`${b.url}/api/events`)
    expect(page.status).toBe(200)
    await positioned(page)
    const put = await request(a.server).put('/api/products/3').set('Cookie', cookie).send({ stock: 7 }).expect(200)
    expect(put.body.published).toEqual(expect.any(String))
    await page.until(1, 'product')
    expect(stockOf(page)).toEqual([{ id: 3, stock: 7, priceCents: 4500 }])
    const resumeFrom = page.lastEventId
    page.close()
    for (const stock of [6, 5])
      await request(a.server).put('/api/products/3').set('Cookie', cookie).send({ stock }).expect(200)
    const resumed = await open(`${a.url}/api/events`, { lastEventId: resumeFrom })
    await resumed.until(2, 'product')
    await request(b.server).put('/api/products/4').set('Cookie', cookie).send({ stock: 299 }).expect(200)
    await resumed.until(3, 'product')
    expect(stockOf(resumed).map(({ id, stock }) => [id, stock])).toEqual([
      [3, 6],
      [3, 5],
      [4, 299],
    ])
    expect(resumed.of('reset')).toEqual([])
  })

  it("a user's channel carries their order's progress; another user's channel is refused", async () => {
    const { a, b, cookieOf } = await twoProcesses()
    const aliceCookie = await cookieOf(alice)
    const bobCookie = await cookieOf(bob)
    expect((await open(`${b.url}/api/events?channels=user:u-alice`)).status).toBe(403)
    expect(
      (await open(`${b.url}/api/events?channels=products,user:u-alice`, { headers: { cookie: bobCookie } })).status,
    ).toBe(403)
    expect((await open(`${b.url}/api/events?channels=user:u-bob`, { headers: { cookie: bobCookie } })).status).toBe(200)
    const alicePage = await open(`${b.url}/api/events`, { headers: { cookie: aliceCookie } })
    const bobPage = await open(`${b.url}/api/events`, { headers: { cookie: bobCookie } })
    await Promise.all([positioned(alicePage), positioned(bobPage)])
    const placed = await request(a.server)
      .post('/api/orders')
      .set('Cookie', aliceCookie)
      .set('Idempotency-Key', 'live-1')
      .send({ productId: 1 })
      .expect(202)
    const updates = await alicePage.until(5, 'order', 15_000)
    expect(updates.map((event) => JSON.parse(event.data))).toEqual([
      { orderId: placed.body.order.id, attempt: 1, state: 'active' },
      { orderId: placed.body.order.id, attempt: 1, state: 'progress', step: 'stock reserved', done: 1, of: 3 },
      { orderId: placed.body.order.id, attempt: 1, state: 'progress', step: 'payment captured', done: 2, of: 3 },
      { orderId: placed.body.order.id, attempt: 1, state: 'progress', step: 'e-mail sent', done: 3, of: 3 },
      { orderId: placed.body.order.id, attempt: 1, state: 'completed' },
    ])
    expect(bobPage.of('order')).toEqual([])
  })
})
