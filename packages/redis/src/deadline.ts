import { setMaxListeners } from 'node:events'
import { performance } from 'node:perf_hooks'
import { RedisClientError } from './errors.js'

/**
 * One call's deadline as a transport sees it. `signal` aborts with ERR_REDIS_TIMEOUT when the deadline
 * passes; it is built only when a transport reads it, and shared by the calls that expire at the
 * same millisecond (see `Cohort`).
 */
export interface Deadline {
  /**
   * True once the call has its outcome (a reply, an error, or this deadline passed): from then on
   * nothing of it may be written, since the caller may already have been told it failed.
   */
  readonly settled: boolean
  readonly signal: AbortSignal
  /** The same moment as `signal`, as a plain listener registry: see `ExpirySignal`. */
  readonly expiry: ExpirySignal
}

/**
 * The part of an AbortSignal a driver's per-command abort reads (node-redis 5 and 6: `aborted`,
 * then one `abort` listener added and removed again once the command is written). Adding and
 * removing a listener on a real AbortSignal (an EventTarget) measured close to a microsecond per
 * command; here it is a Set operation.
 */
export interface ExpirySignal {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

/** Resolves when `ready` does, or rejects with the deadline's error once it passes first. */
export function readyWithin(ready: Promise<void>, deadline: Deadline): Promise<void> {
  const signal = deadline.signal
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    ready.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

/** Most calls in one cohort (one expiry moment and signal). */
const COHORT_SIZE = 256

/**
 * Calls of one deadline length that expire at the same millisecond share one abort signal: it is
 * aborted when they expire, all at once. One AbortController per call measured as a large part of a
 * command's cost (its allocation and the garbage it leaves), for a signal most calls never need.
 */
class Cohort implements ExpirySignal {
  readonly expiresAt: number
  size = 1
  #controller: AbortController | undefined
  #error: RedisClientError | undefined
  #listeners: Set<() => void> | undefined

  constructor(expiresAt: number) {
    this.expiresAt = expiresAt
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      // Every call of the cohort, and every command of a batch, may listen to it at once: the
      // listeners are bounded by the calls, so Node's leak warning would only be noise.
      setMaxListeners(0, this.#controller.signal)
      if (this.#error) this.#controller.abort(this.#error)
    }
    return this.#controller.signal
  }

  get aborted(): boolean {
    return this.#error !== undefined
  }

  addEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort' || this.#error) return
    this.#listeners ??= new Set()
    this.#listeners.add(listener)
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort') this.#listeners?.delete(listener)
  }

  abort(error: RedisClientError): void {
    if (this.#error) return
    this.#error = error
    this.#controller?.abort(error)
    const listeners = this.#listeners
    this.#listeners = undefined
    if (!listeners) return
    for (const listener of listeners) {
      try {
        listener()
      } catch (thrown) {
        // As an AbortSignal does: one listener's exception neither stops the others nor the caller.
        queueMicrotask(() => {
          throw thrown
        })
      }
    }
  }
}

class PendingCall implements Deadline {
  readonly cohort: Cohort
  next: PendingCall | undefined
  settled = false
  #reject: ((error: unknown) => void) | undefined

  constructor(cohort: Cohort, reject: (error: unknown) => void) {
    this.cohort = cohort
    this.#reject = reject
  }

  get expiresAt(): number {
    return this.cohort.expiresAt
  }

  get signal(): AbortSignal {
    return this.cohort.signal
  }

  get expiry(): ExpirySignal {
    return this.cohort
  }

  /** Settles the call; false when it was already settled (the deadline won). */
  settle(): boolean {
    if (this.settled) return false
    this.settled = true
    this.#reject = undefined
    return true
  }

  expire(milliseconds: number): void {
    const reject = this.#reject
    if (!this.settle() || !reject) return
    const error = new RedisClientError('ERR_REDIS_TIMEOUT', `Redis did not answer within ${milliseconds} ms`)
    // Every call of the cohort expires in this same pass (same expiry), so aborting the shared
    // signal now stops none of them early.
    this.cohort.abort(error)
    reject(error)
  }
}

/**
 * The calls of one deadline length, oldest first. They expire in the order they were made, so one
 * timer armed for the oldest pending call serves them all.
 */
class DeadlineQueue {
  readonly #milliseconds: number
  #head: PendingCall | undefined
  #tail: PendingCall | undefined
  /** The cohort of the latest call, which the next call joins when it expires at the same time. */
  #recent: Cohort | undefined
  #timer: NodeJS.Timeout | undefined

  constructor(milliseconds: number) {
    this.#milliseconds = milliseconds
  }

  /**
   * The cohort a call made now joins: its expiry is rounded up to a whole millisecond (timers
   * have millisecond resolution anyway), so calls made in the same millisecond share one.
   */
  cohortNow(): Cohort {
    const expiresAt = Math.ceil(performance.now() + this.#milliseconds)
    const last = this.#recent
    if (last && last.expiresAt === expiresAt && last.size < COHORT_SIZE) {
      last.size += 1
      return last
    }
    this.#recent = new Cohort(expiresAt)
    return this.#recent
  }

  add(call: PendingCall): void {
    if (this.#tail) this.#tail.next = call
    else this.#head = call
    this.#tail = call
    if (!this.#timer) this.#arm()
  }

  /** Drops settled calls from the front so the queue only holds calls still waiting. */
  prune(): void {
    while (this.#head?.settled) this.#shift()
  }

  #shift(): void {
    const head = this.#head
    if (!head) return
    this.#head = head.next
    head.next = undefined
    if (!this.#head) this.#tail = undefined
  }

  #arm(): void {
    this.prune()
    const head = this.#head
    if (!head) return
    // Timers may fire up to a millisecond early; an unexpired head re-arms the timer.
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(head.expiresAt - performance.now())))
    this.#timer.unref()
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    const now = performance.now()
    while (this.#head && (this.#head.settled || this.#head.expiresAt <= now)) {
      const call = this.#head
      this.#shift()
      call.expire(this.#milliseconds)
    }
    this.#arm()
  }
}

/** What the deadline reports to its owner (the client's circuit breaker). */
export interface DeadlineHooks {
  succeeded(): void
  /** Returns the error the call rejects with. */
  failed(error: unknown): unknown
}

/** Deadlines of one client: a queue (and at most one timer) per deadline length. */
export class Deadlines {
  readonly #queues = new Map<number, DeadlineQueue>()
  readonly #hooks: DeadlineHooks

  constructor(hooks: DeadlineHooks) {
    this.#hooks = hooks
  }

  /**
   * Runs `operation` and resolves with `parse` of its value, or rejects with ERR_REDIS_TIMEOUT once
   * `milliseconds` pass, aborting the deadline's signal so the transport can stop retrying. Every
   * outcome goes through the hooks first. The timer never keeps the process alive.
   */
  run<R, T>(milliseconds: number, operation: (deadline: Deadline) => Promise<R>, parse: (value: R) => T): Promise<T> {
    let queue = this.#queues.get(milliseconds)
    if (!queue) {
      queue = new DeadlineQueue(milliseconds)
      this.#queues.set(milliseconds, queue)
    }
    const calls = queue
    const hooks = this.#hooks
    return new Promise<T>((resolve, reject) => {
      const fail = (error: unknown) => reject(hooks.failed(error))
      const call = new PendingCall(calls.cohortNow(), fail)
      calls.add(call)
      const settle = (): boolean => {
        const first = call.settle()
        calls.prune()
        return first
      }
      let pending: Promise<R>
      try {
        pending = operation(call)
      } catch (error) {
        if (settle()) fail(error)
        return
      }
      pending.then(
        (value) => {
          if (!settle()) return
          hooks.succeeded()
          try {
            resolve(parse(value))
          } catch (error) {
            reject(error)
          }
        },
        (error: unknown) => {
          if (settle()) fail(error)
        },
      )
    })
  }
}
