import { isRedisClientError, isUnavailableError, OutageReporter } from '@rediware/redis'
import { SessionStoreUnavailableError } from './errors.js'
import { asError, type StoreEvents } from './store-events.js'

/**
 * Redis answered but will not serve for now: out of memory, a read-only replica, loading its data,
 * a busy script, the cluster down. For a session that is an outage (503, or `'anonymous'`), not a bug.
 */
const isTemporaryRefusal = (error: unknown): boolean =>
  isRedisClientError(error) &&
  error.code === 'ERR_REDIS_REPLY' &&
  /\b(OOM|READONLY|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|MISCONF)\b/.test(error.message)

/**
 * The store's outage bookkeeping: reported once when it starts, once when it ends. A refusal (Redis
 * answers reads but refuses writes, e.g. out of memory) is an outage of writes: a read that
 * succeeds meanwhile does not end it.
 */
export class StoreOutage {
  readonly #reporter: OutageReporter

  constructor(events: StoreEvents) {
    this.#reporter = new OutageReporter({
      onOutage: (error) => events.report({ type: 'store-unavailable', error }),
      onRecovery: () => events.report({ type: 'store-recovered' }),
    })
  }

  succeeded(operation: 'read' | 'write' = 'write'): void {
    this.#reporter.succeeded(operation)
  }

  /** Records a failure; returns the error to pass on (`SessionStoreUnavailableError` for an outage). */
  failed(error: unknown): Error {
    const refusal = isTemporaryRefusal(error)
    if (!refusal && !isUnavailableError(error)) return asError(error)
    this.#reporter.failed(error, refusal ? 'write' : undefined)
    return new SessionStoreUnavailableError(error)
  }

  /**
   * Runs a Redis operation with outage bookkeeping. A `then` on the operation's promise rather than
   * an async function: one promise (and no extra turn) less on every write.
   */
  call<T>(operation: () => Promise<T>): Promise<T> {
    let pending: Promise<T>
    try {
      pending = operation()
    } catch (error) {
      return Promise.reject(this.failed(error))
    }
    return pending.then(this.#passSuccess, this.#passFailure) as Promise<T>
  }

  readonly #passSuccess = <T>(result: T): T => {
    this.succeeded()
    return result
  }

  readonly #passFailure = (error: unknown): never => {
    throw this.failed(error)
  }
}
