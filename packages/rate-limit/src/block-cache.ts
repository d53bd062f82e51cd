/**
 * Bounded LRU of keys known to be blocked until a local time. A hit answers 429 without asking
 * Redis, so a flood from one key costs Redis nothing until the block ends.
 */
export class BlockCache<V> {
  readonly #max: number
  readonly #entries = new Map<string, { until: number; value: V }>()

  constructor(max: number) {
    this.#max = max
  }

  /** The entry for `key` unless it has expired; the clock is read only when there is one. */
  get(key: string): { until: number; value: V } | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#entries.delete(key)
    if (entry.until <= Date.now()) return undefined
    this.#entries.set(key, entry)
    return entry
  }

  set(key: string, until: number, value: V): void {
    if (this.#max === 0) return
    this.#entries.delete(key)
    this.#entries.set(key, { until, value })
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next()
      if (oldest.done) break
      this.#entries.delete(oldest.value)
    }
  }

  delete(key: string): void {
    this.#entries.delete(key)
  }

  get size(): number {
    return this.#entries.size
  }
}
