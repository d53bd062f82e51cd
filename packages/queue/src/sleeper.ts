/**
 * An interruptible wait: `sleep(ms)` resolves after `ms` or as soon as `wake()` is called, whichever
 * comes first. A `wake()` while nobody sleeps is remembered, so a wake-up between two sleeps is not lost.
 */
export class Sleeper {
  #wake: (() => void) | undefined
  #pending = false

  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms))
      const self = this
      function done() {
        clearTimeout(timer)
        if (self.#wake === done) self.#wake = undefined
        resolve()
      }
      this.#wake = done
    })
  }

  wake(): void {
    const wake = this.#wake
    if (wake) {
      this.#wake = undefined
      wake()
    } else {
      this.#pending = true
    }
  }
}

/** Exponential backoff with full jitter between `min` and `max` ms, for retrying a failing Redis. */
export class Backoff {
  readonly #min: number
  readonly #max: number
  #failures = 0

  constructor(min: number, max: number) {
    this.#min = min
    this.#max = max
  }

  next(): number {
    const ceiling = Math.min(this.#max, this.#min * 2 ** this.#failures)
    this.#failures = Math.min(this.#failures + 1, 30)
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
  }

  reset(): void {
    this.#failures = 0
  }
}
