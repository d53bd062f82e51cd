export interface WaitForOptions {
  /** What is awaited, for the error message. */
  description: string
  /** Give up after this many ms. Default 10 000. */
  timeout?: number
  /** Pause between checks in ms. Default 25. */
  interval?: number
  /** Stops waiting early with this error (e.g. the process died). */
  abort?: () => Error | undefined
}

/** Polls `check` until it resolves true; rejects with a clear message after `timeout`. */
export async function waitFor(check: () => Promise<boolean> | boolean, options: WaitForOptions): Promise<void> {
  const { description, timeout = 10_000, interval = 25, abort } = options
  const deadline = Date.now() + timeout
  let lastError: unknown
  for (;;) {
    const aborted = abort?.()
    if (aborted) throw aborted
    try {
      if (await check()) return
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`Timed out after ${timeout} ms waiting for ${description}${cause}`)
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
