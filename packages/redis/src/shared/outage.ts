import type { RedisClient } from '../types.js'

export interface OutageReporterOptions {
  /** Called once when an outage starts: the first failure after a healthy period. */
  onOutage: (error: Error) => void
  /** Called once when the first success after an outage ends it. */
  onRecovery?: () => void
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/**
 * "Report once per outage, once on recovery", for every package.
 *
 * An outage may be scoped: `failed(error, 'write')` starts an outage of writes (Redis answers reads
 * but refuses writes), which only `succeeded('write')` or an unscoped `succeeded()` ends; a read that
 * succeeds meanwhile proves nothing about writes. An unscoped outage ends on any success.
 * Hooks that throw are ignored.
 */
export class OutageReporter {
  readonly #options: OutageReporterOptions
  #outage: { scope: string | undefined } | undefined

  constructor(options: OutageReporterOptions) {
    this.#options = options
  }

  get inOutage(): boolean {
    return this.#outage !== undefined
  }

  /** The scope of the current outage (`undefined` when there is none or it is unscoped). */
  get scope(): string | undefined {
    return this.#outage?.scope
  }

  /** Records a failure; reports it when it starts an outage. Returns whether it reported. */
  failed(error: unknown, scope?: string): boolean {
    if (this.#outage !== undefined) return false
    this.#outage = { scope }
    try {
      this.#options.onOutage(asError(error))
    } catch {
      // A throwing hook must not turn a Redis failure into a request failure.
    }
    return true
  }

  /** Records a success; ends the outage it proves over (see the class comment). */
  succeeded(scope?: string): void {
    const outage = this.#outage
    if (outage === undefined) return
    if (outage.scope !== undefined && scope !== undefined && outage.scope !== scope) return
    this.#outage = undefined
    try {
      this.#options.onRecovery?.()
    } catch {
      // as above
    }
  }

  /**
   * Also ends an unscoped outage when the client's circuit breaker reports `ready` (a probe or
   * another user of the client succeeded). Returns a function that stops following.
   */
  follow(client: RedisClient): () => void {
    return client.onStateChange((state) => {
      if (state === 'ready' && this.#outage?.scope === undefined) this.succeeded()
    })
  }
}
