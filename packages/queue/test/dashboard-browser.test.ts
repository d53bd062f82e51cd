import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryClient } from '@rediware/redis'
import { createQueue, type Queue, UnrecoverableError } from '@rediware/queue'
import { expressVersions, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
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

let queue: Queue<{ to: string }>
let server: Server
let base: string
let userDataDir: string | undefined
let context: BrowserContext | undefined
let page: Page
const problems: string[] = []
let failedId = ''

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    )
  }
  queue = createQueue({ redis: memoryClient(), name: 'browser', warn: () => undefined })
  const app = expressVersions[1].create()
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end()
  })
  app.use(
    '/admin/queues',
    queue.router<Request>({ authorize: (req) => (req.headers.cookie ?? '').includes('admin=yes') }),
  )
  const added = await queue.add({ to: '<img src=x onerror=alert(1)>' }, { attempts: 1 })
  failedId = added.id
  await queue.add({ to: 'next@example.com' }, { delay: '1 h' })
  const worker = queue.process(() => {
    throw new UnrecoverableError('mailbox full')
  })
  await waitFor(async () => (await queue.getJob(failedId))?.state === 'failed', { description: 'the job to fail' })
  await worker.close()
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  userDataDir = mkdtempSync(join(tmpdir(), 'rediware-queue-chromium-'))
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    timeout: 20_000,
  })
  page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(10_000)
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
}, 60_000)

afterAll(async () => {
  await context?.close()
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
  await new Promise((resolve) => server?.close(resolve))
  await queue?.close()
})

describe('the dashboard in headless Chromium', () => {
  it('is refused without authorization', async () => {
    const response = await page.goto(`${base}/admin/queues/`)
    expect(response?.status()).toBe(403)
  })

  it('lists failed jobs, opens one, retries it and removes it with its buttons', async () => {
    problems.length = 0
    await context?.addCookies([{ name: 'admin', value: 'yes', url: base }])
    await page.goto(`${base}/admin/queues/?state=failed`)
    expect(await page.locator('[data-count="failed"]').textContent()).toBe('1')
    expect(await page.locator('[data-count="delayed"]').textContent()).toBe('1')
    await page.locator(`tr[data-job="${failedId}"] a`).click()
    await page.locator('[data-field="state"]', { hasText: 'failed' }).waitFor()
    expect(await page.locator('[data-field="data"]').textContent()).toContain('<img src=x onerror=alert(1)>')
    expect(await page.locator('[data-field="error"]').textContent()).toMatch(/^UnrecoverableError: mailbox full/)
    await page.locator('button[data-action="retry"]').click()
    await page.locator('#status', { hasText: 'retry done' }).waitFor()
    await page.locator('[data-field="state"]', { hasText: 'waiting' }).waitFor()
    expect((await queue.getJob(failedId))?.state).toBe('waiting')
    await page.locator('button[data-action="remove"]').click()
    await page.locator('#status', { hasText: 'remove done' }).waitFor()
    await page.waitForURL(`${base}/admin/queues/`)
    expect(await queue.getJob(failedId)).toBeNull()
    expect(await page.locator('[data-count="waiting"]').textContent()).toBe('0')
    expect(problems).toEqual([])
  })
})
