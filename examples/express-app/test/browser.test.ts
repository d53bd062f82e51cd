import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { memoryClient, type RedisClient } from '@rediware/redis'
import { type HeadlessChromium, launchHeadlessChromium } from '@rediware/test-utils'
import type { Page } from 'playwright-core'
import type { Database } from '../src/db/database.js'
import { close, exampleApp, listen, testPglite } from './helpers.js'

let db: Database
let redis: RedisClient
let server: Server
let base: string
let browser: HeadlessChromium | undefined
let page: Page

beforeAll(async () => {
  db = await testPglite()
  redis = memoryClient()
  server = await listen(
    exampleApp(
      redis,
      db,
      'browser-test:',
      { BURST_RATE_LIMIT: '5', BURST_RATE_WINDOW: '1 m' },
      join(__dirname, '..', 'public'),
    ),
  )
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await launchHeadlessChromium({ profilePrefix: 'rediware-example-chromium-', extraArgs: ['--disable-quic'] })
  page = browser.page
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(base)
  await page.locator('#products tbody tr').first().waitFor()
  expect(errors).toEqual([])
}, 60_000)

afterAll(async () => {
  await browser?.close()
  if (server) await close(server)
  await redis?.close()
  await db?.close()
})

describe('the example page in headless Chromium', () => {
  it('fires a burst and draws allowed responses and 429s with Retry-After', async () => {
    await page.locator('#burst-count').fill('12')
    await page.locator('#burst-button').click()
    const limited = page.locator('#burst-results .result.limited').first()
    await limited.waitFor()
    expect(await limited.textContent()).toMatch(/429\s*Retry-After [1-9]\d* s/)
    await page.locator('#burst-summary', { hasText: ' in ' }).waitFor()
    expect(await page.locator('#burst-results .result.allowed').count()).toBe(5)
    expect(await page.locator('#burst-results .result.limited').count()).toBe(7)
  })

  it('shows product reads with MISS, then HIT', async () => {
    const read = page.locator('#products tr[data-id="2"] button.read')
    await read.click()
    await page.locator('#cache-log li', { hasText: 'GET /api/products/2' }).first().waitFor()
    await read.click()
    await page.locator('#cache-log li', { hasText: 'GET /api/products/2' }).nth(1).waitFor()
    const badges = await page
      .locator('#cache-log li', { hasText: 'GET /api/products/2' })
      .locator('.badge')
      .allTextContents()
    expect(badges).toEqual(['HIT', 'MISS']) // newest first
  })

  it('draws the live numbers: hits vs misses and allowed vs limited, from the same totals as /metrics', async () => {
    // The burst and the reads above happened before: the chart's next polls carry them.
    await page.locator('#metric-limited', { hasText: /^[1-9]\d*$/ }).waitFor()
    await page.locator('#metric-hit', { hasText: /^[1-9]\d*$/ }).waitFor()
    const limited = Number(await page.locator('#metric-limited').textContent())
    const allowed = Number(await page.locator('#metric-allowed').textContent())
    expect(limited).toBeGreaterThanOrEqual(7)
    expect(allowed).toBeGreaterThanOrEqual(5)
    for (const [chart, series] of [
      ['#chart-cache', ['hit', 'miss', 'stale']],
      ['#chart-rate-limit', ['allowed', 'limited']],
    ] as const) {
      const drawn = await page.locator(`${chart} polyline`).evaluateAll((lines) =>
        lines.map((line) => ({
          series: line.getAttribute('data-series'),
          points: (line.getAttribute('points') ?? '').split(' ').filter(Boolean).length,
        })),
      )
      expect(drawn.map((line) => line.series)).toEqual([...series])
      for (const line of drawn) expect(line.points).toBeGreaterThanOrEqual(1)
      const box = await page.locator(chart).boundingBox()
      expect(box?.width).toBeGreaterThan(100)
      expect(box?.height).toBeGreaterThan(50)
    }
    // The highest point of the rate-limit chart is the allowed line's latest sample.
    const latestY = await page
      .locator('#chart-rate-limit polyline[data-series="allowed"]')
      .evaluate((line) => Number((line.getAttribute('points') ?? '').split(' ').at(-1)?.split(',')[1]))
    expect(latestY).toBeLessThan(10)
    await page.locator('#live-status', { hasText: 'connected' }).waitFor()
  })

  it('logs in with the prefilled demo account, lists sessions, logs out everywhere', async () => {
    await page.locator('#login-button').click()
    await page.locator('#me-text', { hasText: 'Alice' }).waitFor()
    await page.locator('#other-device').click()
    await page.locator('#session-list li').nth(1).waitFor()
    expect(await page.locator('#session-list li[data-current="true"]').count()).toBe(1)
    await page.locator('#logout-all').click()
    await page.locator('#login-status', { hasText: '2 session(s) revoked' }).waitFor()
    await page.locator('#me-text', { hasText: 'Not logged in' }).waitFor()
  })

  it('a price change reaches the page over the live stream', async () => {
    await page.locator('#login-button').click()
    await page.locator('#me-text', { hasText: 'Alice' }).waitFor()
    await page.locator('#products tr[data-id="3"] button.bump').click()
    // Only a pushed event writes this line (the page's own PUT answer does not).
    const pushed = page.locator('#live-log li', { hasText: 'product 3: stock' }).first()
    await pushed.waitFor()
    expect(await page.locator('#live-status').textContent()).toBe('connected')
  })
})
