import type { RedisClient } from '@rediware/redis'

/** Reports backend failures once per outage: the first failure after a healthy period. */
export class OutageReporter {
  #inOutage = false

  constructor(client: RedisClient, private readonly onError: (error: Error) => void) {
    client.onStateChange((state) => {
      if (state === 'ready') this.#inOutage = false
    })
  }

  report(error: unknown): void {
    if (this.#inOutage) return
    this.#inOutage = true
    const wrapped = error instanceof Error ? error : new Error(String(error))
    try {
      this.onError(wrapped)
    } catch {
      // a throwing hook must not turn a cache failure into a request failure
    }
  }

  /** A call succeeded: the next failure is a new outage. */
  healthy(): void {
    this.#inOutage = false
  }
}
