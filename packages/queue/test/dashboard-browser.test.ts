import type { Server } from 'node:http'
import { memoryClient } from '@rediware/redis'
import { createQueue, type Queue, UnrecoverableError } from '@rediware/queue'
import { expressVersions, type HeadlessChromium, launchHeadlessChromium, waitFor } from '@rediware/test-utils'
import type { Request } from 'express'
import type { Page } from 'playwright-core'
import { listenLocally } from './helpers.js'

let queue: Queue<{ to: string }>
let server: Server
let base: string
let browser: HeadlessChromium | undefined
let page: Page
const problems: string[] = []
let failedId = ''

beforeAll(async () => {
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
  ;({ server, base } = await listenLocally(app))
  browser = await launchHeadlessChromium({ profilePrefix: 'rediware-queue-chromium-' })
  page = browser.page
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text())
  })
}, 60_000)

afterAll(async () => {
  await browser?.close()
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
    await browser?.context.addCookies([{ name: 'admin', value: 'yes', url: base }])
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
