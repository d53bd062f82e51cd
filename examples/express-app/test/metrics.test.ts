import { get, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, type Socket } from 'node:net'
import { createRealtime } from '@rediware/realtime'
import { fromIoredis, memoryClient } from '@rediware/redis'
import { describeBackends, startRedisServer, waitFor } from '@rediware/test-utils'
import { Redis } from 'ioredis'
import request from 'supertest'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { createMetrics } from '../src/metrics.js'
import { ordersQueue, startOrderWorker } from '../src/orders.js'
import { alice, close, listen, sessionCookie, testPglite } from './helpers.js'
import { type Exposition, parsePrometheusText, sampleSum } from './prometheus-text.js'

let db: Database
beforeAll(async () => {
  db = await testPglite()
}, 60_000)
afterAll(async () => {
  await db?.close()
})

const secret = 'test-secret-0123456789abcdef0123456789abcdef'
const baseOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`

async function scrape(server: Server, auth?: string): Promise<Exposition> {
  const response = await request(server)
    .get('/metrics')
    .set(auth === undefined ? {} : { authorization: auth })
    .expect(200)
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parsePrometheusText(response.text)
}

/** An open event stream that reads what it gets. */
function openStream(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { accept: 'text/event-stream' } }, (response) => {
      response.resume()
      resolve(response)
    }).once('error', reject)
  })
}

/** A client that asks for the stream and never reads it. */
function stalledClient(url: string): Promise<Socket> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`)
      socket.pause()
      resolve(socket)
    })
    socket.once('error', reject)
  })
}

describeBackends('example app: /metrics', (backend) => {
  let counter = 0
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((closeIt) => closeIt()))
  })

  it('parses as Prometheus text, and cache, rate-limit, queue and realtime metrics move with requests', async () => {
    const config = loadConfig({
      KEY_PREFIX: `${backend.prefix}metrics${++counter}:`,
      SESSION_SECRET: secret,
      BURST_RATE_LIMIT: '2',
      BURST_RATE_WINDOW: '1 h',
    })
    const metrics = createMetrics()
    const orders = ordersQueue(backend.client(), config.keyPrefix, () => undefined, undefined, metrics.queue)
    const server = await listen(
      createApp({ redis: backend.client(), db, config, orders, metrics, warn: () => undefined }),
    )
    closers.push(() => close(server))

    const before = await scrape(server)
    for (const family of [
      'rediware_cache_responses_total',
      'rediware_rate_limit_requests_total',
      'rediware_rate_limit_policy_violations_total',
      'rediware_session_store_outages_total',
      'rediware_session_store_up',
      'rediware_queue_jobs_total',
      'rediware_queue_job_duration_seconds',
      'rediware_queue_depth',
      'rediware_realtime_clients',
      'rediware_realtime_slow_clients_dropped_total',
      'process_cpu_seconds_total',
    ]) {
      expect(before.types.has(family)).toBe(true)
    }
    expect(sampleSum(before, 'rediware_cache_responses_total')).toBe(0)
    expect(sampleSum(before, 'rediware_session_store_up')).toBe(1)

    await request(server).get('/api/products/1').expect(200)
    await request(server).get('/api/products/1').expect(200)
    const pings = []
    for (let index = 0; index < 3; index++) pings.push((await request(server).get('/api/ping')).status)
    expect(pings).toEqual([200, 200, 429])
    const cookie = sessionCookie(await request(server).post('/api/login').send(alice).expect(200)) ?? ''
    await request(server)
      .post('/api/orders')
      .set('Cookie', cookie)
      .set('Idempotency-Key', `metrics-${counter}`)
      .send({ productId: 1 })
      .expect(202)
    const stream = await openStream(`${baseOf(server)}/api/events`)
    closers.push(async () => {
      stream.destroy()
    })

    const during = await scrape(server)
    expect(sampleSum(during, 'rediware_cache_responses_total', { result: 'miss' })).toBe(1)
    expect(sampleSum(during, 'rediware_cache_responses_total', { result: 'hit' })).toBe(1)
    expect(sampleSum(during, 'rediware_rate_limit_requests_total', { limiter: 'burst', result: 'allowed' })).toBe(2)
    expect(sampleSum(during, 'rediware_rate_limit_requests_total', { limiter: 'burst', result: 'limited' })).toBe(1)
    expect(
      sampleSum(during, 'rediware_rate_limit_policy_violations_total', { limiter: 'burst', policy: 'default' }),
    ).toBe(1)
    expect(
      sampleSum(during, 'rediware_rate_limit_requests_total', { limiter: 'api', result: 'allowed' }),
    ).toBeGreaterThanOrEqual(7)
    expect(sampleSum(during, 'rediware_rate_limit_requests_total', { limiter: 'login-ip', result: 'allowed' })).toBe(1)
    expect(sampleSum(during, 'rediware_queue_depth', { queue: 'order-confirmation', state: 'waiting' })).toBe(1)
    expect(sampleSum(during, 'rediware_realtime_clients')).toBe(1)

    const worker = startOrderWorker(orders)
    closers.push(() => worker.close())
    await waitFor(
      async () => sampleSum(await scrape(server), 'rediware_queue_jobs_total', { result: 'completed' }) === 1,
      {
        description: 'the order confirmation to complete',
        timeout: 10_000,
      },
    )
    stream.destroy()
    await waitFor(async () => sampleSum(await scrape(server), 'rediware_realtime_clients') === 0, {
      description: 'the stream to close',
    })
    const after = await scrape(server)
    expect(sampleSum(after, 'rediware_queue_job_duration_seconds_count', { queue: 'order-confirmation' })).toBe(1)
    expect(
      sampleSum(after, 'rediware_queue_job_duration_seconds_sum', { queue: 'order-confirmation' }),
    ).toBeGreaterThan(0.2)
    expect(sampleSum(after, 'rediware_queue_depth', { queue: 'order-confirmation', state: 'completed' })).toBe(1)
    expect(sampleSum(after, 'rediware_queue_depth', { queue: 'order-confirmation', state: 'waiting' })).toBe(0)

    const live = (await request(server).get('/live-stats').expect(200)).body
    expect(live).toMatchObject({
      cache: { hit: 1, miss: 1, stale: 0 },
      rateLimit: { limited: 1 },
      realtime: { clients: 0, dropped: 0 },
      sessionStoreOutages: 0,
    })
    expect(live.rateLimit.allowed).toBe(sampleSum(after, 'rediware_rate_limit_requests_total', { result: 'allowed' }))
  }, 30_000)
})

test('a client that stops reading is dropped and counted', async () => {
  const redis = memoryClient()
  const metrics = createMetrics()
  const config = loadConfig({ KEY_PREFIX: 'metrics-drop:', SESSION_SECRET: secret })
  const live = createRealtime({
    redis,
    prefix: 'metrics-drop:rt:',
    maxEventSize: 256 * 1024,
    backlog: { maxBytes: 256 * 1024, maxEvents: 2 },
    onEvent: metrics.realtime,
  })
  const server = await listen(createApp({ redis, db, config, metrics, realtime: live, warn: () => undefined }))
  const stalled = await stalledClient(`${baseOf(server)}/api/events`)
  try {
    await waitFor(() => live.stats().connections === 1, { description: 'the stream to open' })
    const payload = 'x'.repeat(200 * 1024)
    let published = 0
    while ((await metrics.live()).realtime.dropped === 0) {
      await live.publish('products', { type: 'product', data: payload })
      published += 1
      if (published > 400) throw new Error('the stalled client was never dropped')
    }
    const exposition = await scrape(server)
    expect(sampleSum(exposition, 'rediware_realtime_slow_clients_dropped_total')).toBe(1)
    expect(sampleSum(exposition, 'rediware_realtime_streams_closed_total', { reason: 'backlog' })).toBe(1)
    expect(sampleSum(exposition, 'rediware_realtime_clients')).toBe(0)
  } finally {
    stalled.destroy()
    await live.close()
    await close(server)
    await redis.close()
  }
}, 60_000)

test('the session store going down is counted once per outage, and up again after', async () => {
  const redisServer = await startRedisServer()
  const raw = new Redis(redisServer.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
  const redis = fromIoredis(raw, { timeout: 200, breaker: { failureThreshold: 2, cooldown: 200 } })
  const metrics = createMetrics()
  const config = loadConfig({ KEY_PREFIX: 'metrics-session:', SESSION_SECRET: secret })
  const server = await listen(createApp({ redis, db, config, metrics, warn: () => undefined }))
  try {
    const cookie = sessionCookie(await request(server).post('/api/login').send(alice).expect(200)) ?? ''
    const depthSeries = (exposition: Exposition) =>
      exposition.samples.filter((sample) => sample.name === 'rediware_queue_depth').map((sample) => sample.labels.state)
    expect(depthSeries(await scrape(server))).toHaveLength(5)
    await redisServer.kill()
    await request(server).get('/api/me').set('Cookie', cookie).expect(503)
    await request(server).get('/api/me').set('Cookie', cookie).expect(503)
    const started = performance.now()
    const down = await scrape(server)
    // The scrape answers within the queue's deadline, keeping the last depth it read.
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(depthSeries(down)).toHaveLength(5)
    expect(sampleSum(down, 'rediware_session_store_outages_total')).toBe(1)
    expect(sampleSum(down, 'rediware_session_store_up')).toBe(0)
    await redisServer.restart()
    await waitFor(async () => (await request(server).get('/api/me').set('Cookie', cookie)).status !== 503, {
      description: 'the store to answer again',
      timeout: 10_000,
    })
    expect(sampleSum(await scrape(server), 'rediware_session_store_up')).toBe(1)
  } finally {
    await close(server)
    raw.disconnect()
    await redisServer.stop()
  }
}, 30_000)

describe('METRICS_TOKEN', () => {
  it('makes /metrics answer 401 without the bearer token; /live-stats stays open', async () => {
    const redis = memoryClient()
    const config = loadConfig({
      KEY_PREFIX: 'metrics-token:',
      SESSION_SECRET: secret,
      METRICS_TOKEN: 'a-long-metrics-token-1234',
    })
    const server = await listen(createApp({ redis, db, config, warn: () => undefined }))
    try {
      const refused = await request(server).get('/metrics').expect(401)
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="metrics"')
      await request(server).get('/metrics').set('authorization', 'Bearer wrong').expect(401)
      expect((await scrape(server, 'Bearer a-long-metrics-token-1234')).types.size).toBeGreaterThan(10)
      await request(server).get('/live-stats').expect(200)
    } finally {
      await close(server)
      await redis.close()
    }
  })

  it('refuses a short token at start', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16/)
  })
})
