import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryClient, type RedisClient } from '@rediware/redis'
import { createRealtime, type Realtime } from '@rediware/realtime'
import { createQueue, type Queue } from '@rediware/queue'
import { expressVersions } from '@rediware/test-utils'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

// Debian's chromium package (`apt-get install -y chromium`); playwright-core never downloads a browser.
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let redis: RedisClient
let rt: Realtime
let live: Queue<number>
let plain: Queue<number>
let server: Server
let base: string
let userDataDir: string | undefined
let context: BrowserContext | undefined
let page: Page
const problems: string[] = []

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    )
  }
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
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  userDataDir = mkdtempSync(join(tmpdir(), 'rediware-queue-live-chromium-'))
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    timeout: 20_000,
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(10_000)
  page.on('pageerror', (error) => problems.push(error.message))
}, 60_000)

afterAll(async () => {
  await context?.close()
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
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
