import type { ClientState } from './types.js'

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  failureThreshold?: number
  /** How long the circuit stays open before one probe call is let through, in ms. Default 1000. */
  cooldown?: number
}

type Listener = (state: ClientState, error?: Error) => void

/**
 * Counts consecutive failures. Open (`down`): calls fail fast until `cooldown` passes, then one probe
 * goes through; its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  readonly #threshold: number
  readonly #cooldown: number
  readonly #listeners = new Set<Listener>()
  #failures = 0
  #openedAt = 0
  #probing = false
  #state: ClientState = 'ready'

  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5
    this.#cooldown = options.cooldown ?? 1000
  }

  get state(): ClientState {
    return this.#state
  }

  /** Whether a call may go out now. Claims the probe slot when the cooldown has passed. */
  allow(): boolean {
    if (this.#state !== 'down') return true
    if (this.#probing || Date.now() - this.#openedAt < this.#cooldown) return false
    this.#probing = true
    return true
  }

  succeeded(): void {
    this.#failures = 0
    this.#probing = false
    this.#setState('ready')
  }

  failed(error: Error): void {
    this.#failures += 1
    this.#probing = false
    if (this.#state === 'down' || this.#failures >= this.#threshold) {
      this.#openedAt = Date.now()
      this.#setState('down', error)
    } else {
      this.#setState('degraded', error)
    }
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #setState(state: ClientState, error?: Error): void {
    if (state === this.#state) return
    this.#state = state
    for (const listener of this.#listeners) listener(state, error)
  }
}
