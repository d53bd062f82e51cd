import type { AppProcess } from './app-processes.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Publishes sequence numbers `from`…`from + count - 1` at `perSecond`, each from the next app
 * process in turn (the app stamps the time and calls its library's publish).
 */
export async function publishAtRate(
  apps: readonly AppProcess[],
  from: number,
  count: number,
  perSecond: number,
): Promise<void> {
  const started = performance.now()
  for (let index = 0; index < count; index += 1) {
    const wait = started + (index * 1000) / perSecond - performance.now()
    if (wait > 1) await sleep(wait)
    const n = from + index
    apps[index % apps.length]?.send({ type: 'publish', n })
  }
}

/** Waits until `done()` or `timeoutMs`, checking every few milliseconds; true when done. */
export async function settle(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() > deadline) return false
    await sleep(10)
  }
  return true
}
