import { decodeEntry, type Entry } from './envelope.js'
import type { Versions } from './flights.js'

/** What one route lookup read: the entry (decoded once for every request that shares the read) and the tag versions. */
export interface Found {
  entry: Entry | undefined
  versions: Versions
}

/** What a lookup of a stored value reads: its text and the tag versions. */
export interface Read {
  text: string | null
  versions: Versions
}

interface Batch<T> {
  promise: Promise<T>
  start(): void
}

/** A route lookup, the entry decoded once for every request sharing it. */
export const decodeFound = ({ text, versions }: Read): Found => ({ entry: decodeEntry(text), versions })

/**
 * Shares entry lookups between concurrent requests for one key, without ever handing a request a
 * read older than its arrival: a lookup already sent cannot be joined; requests arriving while it is
 * in flight join the NEXT lookup, which is sent when it returns. So a hot key costs at most one
 * lookup per round trip, and every request still reads the tag versions after it arrived (an
 * invalidation completed before it is always seen).
 */
export class Lookups<T> {
  readonly #sent = new Map<string, Promise<T>>()
  readonly #next = new Map<string, Batch<T>>()

  read(key: string, run: () => Promise<T>): Promise<T> {
    const sent = this.#sent.get(key)
    if (sent === undefined) return this.#send(key, run)
    let batch = this.#next.get(key)
    if (batch === undefined) {
      let start: () => void = () => undefined
      const promise = new Promise<T>((resolve, reject) => {
        start = () => {
          this.#next.delete(key)
          this.#send(key, run).then(resolve, reject)
        }
      })
      batch = { promise, start }
      this.#next.set(key, batch)
      const next = batch
      sent.then(next.start, next.start)
    }
    return batch.promise
  }

  #send(key: string, run: () => Promise<T>): Promise<T> {
    const promise = run()
    this.#sent.set(key, promise)
    const done = (): void => {
      if (this.#sent.get(key) === promise) this.#sent.delete(key)
    }
    promise.then(done, done)
    return promise
  }
}
