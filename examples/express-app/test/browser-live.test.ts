import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { memoryClient, type RedisClient } from '@rediware/redis'
import type { Realtime } from '@rediware/realtime'
import type { Worker } from '@rediware/queue'
import { type HeadlessChromium, launchHeadlessChromium } from '@rediware/test-utils'
import type { Page } from 'playwright-core'
import request from 'supertest'
import { createApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import type { Database } from '../src/db/database.js'
import { liveHub } from '../src/live.js'
import { type OrderConfirmation, ordersQueue, startOrderWorker } from '../src/orders.js'
import { alice, close, listen, sessionCookie, testPglite } from './helpers.js'

let db: Database
let redis: RedisClient
let realtime: Realtime
let worker: Worker<OrderConfirmation>
let server: Server
let base: string
let browser: HeadlessChromium | undefined
let page: Page
let cookie: string
const streamRequests: Promise<string | undefined>[] = []
const errors: string[] = []

beforeAll(async () => {
  db = await testPglite()
  redis = memoryClient()
  const config = loadConfig({
    KEY_PREFIX: 'browser-live:',
    SESSION_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
  })
  realtime = liveHub(redis, config.keyPrefix, () => undefined)
  const orders = ordersQueue(redis, config.keyPrefix, () => undefined, realtime)
  worker = startOrderWorker(orders, realtime, () => undefined)
  server = await listen(
    createApp({
      redis,
      db,
      config,
      orders,
      realtime,
      warn: () => undefined,
      publicDir: join(__dirname, '..', 'public'),
    }),
  )
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  cookie = sessionCookie(await request(server).post('/api/login').send(alice).expect(200)) ?? ''
  browser = await launchHeadlessChromium({
    profilePrefix: 'rediware-example-chromium-',
    extraArgs: ['--disable-quic'],
    pageTimeout: 15_000,
  })
  page = browser.page
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('request', (sent) => {
    if (new URL(sent.url()).pathname === '/api/events')
      streamRequests.push(sent.allHeaders().then((headers) => headers['last-event-id']))
  })
  await page.goto(base)
  await page.locator('#products tbody tr').first().waitFor()
  await page.locator('#live-status', { hasText: 'connected' }).waitFor()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await worker?.close()
  await realtime?.close()
  if (server) await close(server)
  await redis?.close()
  await db?.close()
})

const stockCell = (id: number) => page.locator(`#products tr[data-id="${id}"] .stock`)
const putStock = (id: number, stock: number) =>
  request(server).put(`/api/products/${id}`).set('Cookie', cookie).send({ stock }).expect(200)

describe('live updates on the example page in headless Chromium', () => {
  it('shows a stock change made elsewhere without a reload', async () => {
    await putStock(3, 11)
    await page.locator('#products tr[data-id="3"] .stock', { hasText: /^11$/ }).waitFor()
    expect(await page.locator('#live-log li', { hasText: 'product 3: stock 11' }).count()).toBe(1)
  })

  it('after a forced reconnect, resumes with Last-Event-ID: every change made meanwhile shows, once', async () => {
    const before = streamRequests.length
    server.closeAllConnections()
    await putStock(3, 10)
    await putStock(5, 79)
    await putStock(3, 9)
    await page.locator('#products tr[data-id="3"] .stock', { hasText: /^9$/ }).waitFor()
    expect(await stockCell(5).textContent()).toBe('79')
    const reconnects = await Promise.all(streamRequests.slice(before))
    expect(reconnects.length).toBeGreaterThanOrEqual(1)
    expect(reconnects[0]).toMatch(/^\d+-\d+$/)
    const log = await page.locator('#live-log li').allTextContents()
    const lines = log.flatMap((line) => /product \d+: stock \d+/.exec(line) ?? [])
    expect(lines.reverse()).toEqual([
      'product 3: stock 11',
      'product 3: stock 10',
      'product 5: stock 79',
      'product 3: stock 9',
    ])
    expect(errors).toEqual([])
  })

  it("shows the signed-in user's order progress live", async () => {
    await page.locator('#login-button').click()
    await page.locator('#me-text', { hasText: 'Alice' }).waitFor()
    await page.locator('#live-status', { hasText: 'connected' }).waitFor()
    await page.locator('#order-button').click()
    await page.locator('#order-log [data-order-progress]', { hasText: 'completed' }).waitFor()
    const log = await page.locator('#live-log li', { hasText: 'order ' }).allTextContents()
    expect(log.map((line) => line.replace(/^.*…: /, '')).reverse()).toEqual([
      'active',
      'stock reserved (1/3)',
      'payment captured (2/3)',
      'e-mail sent (3/3)',
      'completed',
    ])
  })
})
