import type { Server } from 'node:http'
import { memoryClient, type RedisClient } from '@rediware/redis'
import { createRealtime, type Realtime } from '@rediware/realtime'
import { createQueue, type Queue } from '@rediware/queue'
import { expressVersions, type HeadlessChromium, launchHeadlessChromium } from '@rediware/test-utils'
import type { Page } from 'playwright-core'
import { listenLocally } from './helpers.js'

let redis: RedisClient
let rt: Realtime
let live: Queue<number>
let plain: Queue<number>
let server: Server
let base: string
let browser: HeadlessChromium | undefined
let page: Page
const problems: string[] = []

beforeAll(async () => {
  redis = memoryClient()
  rt = createRealtime({ redis, warn: () => undefined })
  live = createQueue({ redis, name: 'live', events: { realtime: rt }, warn: () => undefined })
  plain = createQueue({ redis, name: 'plain', warn: () => undefined })
  const app = expressVersions[1].create()
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end()
  })
  app.use('/live', live.router({ authorize: () => true }))
  app.use('/plain', plain.router({ authorize: () => true }))
  ;({ server, base } = await listenLocally(app))
  browser = await launchHeadlessChromium({ profilePrefix: 'rediware-queue-live-chromium-' })
  page = browser.page
  page.on('pageerror', (error) => problems.push(error.message))
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all([live?.close(), plain?.close()])
  await rt?.close()
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  await redis?.close()
})

describe('the dashboard page, live (headless Chromium)', () => {
  it('follows the job events stream: counts change as jobs are added and run, without a reload', async () => {
    await page.goto(`${base}/live/`)
    await page.locator('body[data-live="stream"]').waitFor()
    expect(await page.locator('[data-count="waiting"]').textContent()).toBe('0')
    await live.add(1)
    await live.add(2)
    await page.locator('[data-count="waiting"]', { hasText: /^2$/ }).waitFor()
    const worker = live.process((job) => job.data)
    await page.locator('[data-count="completed"]', { hasText: /^2$/ }).waitFor()
    expect(await page.locator('[data-count="waiting"]').textContent()).toBe('0')
    await worker.close()
    expect(problems).toEqual([])
  })

  it('without events, polls', async () => {
    await page.goto(`${base}/plain/`)
    await page.locator('body[data-live="polling"]').waitFor()
    expect(problems).toEqual([])
  })
})
