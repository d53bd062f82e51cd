import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'

const defaultArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface HeadlessChromiumOptions {
  /** Start of the fresh profile directory's name under the OS temp directory. */
  profilePrefix: string
  /** Chromium switches added to the defaults (e.g. `--disable-quic`). */
  extraArgs?: readonly string[]
  /** The page's default timeout for actions and waits, in ms. Default 10 s. */
  pageTimeout?: number
}

export interface HeadlessChromium {
  readonly context: BrowserContext
  /** The browser's first tab. */
  readonly page: Page
  /** Closes the browser and deletes its profile directory. */
  close(): Promise<void>
}

/**
 * Starts Debian's chromium (`apt-get install -y chromium`, or `CHROMIUM_PATH`) headless with a fresh
 * profile; playwright-core never downloads a browser.
 */
export async function launchHeadlessChromium(options: HeadlessChromiumOptions): Promise<HeadlessChromium> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    )
  }
  // Loaded here, not at the top: every test imports this package and playwright-core is slow to load.
  const { chromium } = await import('playwright-core')
  // launchPersistentContext is how playwright takes --user-data-dir.
  const userDataDir = mkdtempSync(join(tmpdir(), options.profilePrefix))
  const removeProfile = () => rmSync(userDataDir, { recursive: true, force: true })
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...defaultArgs, ...(options.extraArgs ?? [])],
      timeout: 20_000,
    })
  } catch (error) {
    removeProfile()
    throw error
  }
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(options.pageTimeout ?? 10_000)
  return {
    context,
    page,
    close: async () => {
      await context.close()
      removeProfile()
    },
  }
}
