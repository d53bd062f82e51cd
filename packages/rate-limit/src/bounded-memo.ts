/**
 * A bounded map of values computed from a string key (e.g. its hash tag), so a hot key is not
 * recomputed on every request. The oldest entry goes first once `max` is reached.
 */
export class BoundedMemo<V> {
  readonly #max: number
  readonly #compute: (key: string) => V
  readonly #entries = new Map<string, V>()

  constructor(max: number, compute: (key: string) => V) {
    this.#max = max
    this.#compute = compute
  }

  get(key: string): V {
    const known = this.#entries.get(key)
    if (known !== undefined) return known
    const value = this.#compute(key)
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    this.#entries.set(key, value)
    return value
  }
}
