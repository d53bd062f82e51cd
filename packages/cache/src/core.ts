import type { CallOptions, RedisClient } from '@rediware/redis'
import type { Entry } from './envelope.js'
import type { CacheEvent, ResolvedCacheOptions } from './options.js'
import { Keyspace } from './keyspace.js'
import { OutageReporter } from './outage.js'
import { TagVersions } from './tag-versions.js'

/** What a route lookup or fill hands to requests that waited for it (undefined: nothing shareable). */
export type FillOutcome = { entry: Entry; stale: boolean } | undefined

export interface Pending<T> {
  promise: Promise<T>
  resolve(value: T): void
  /** Set once resolved: later joiners must re-check tag versions (an invalidation may have happened since). */
  settled: boolean
}

/** What every route and helper of one `createCache()` shares. */
export class CacheCore {
  readonly client: RedisClient
  readonly prefix: string
  readonly name: string
  readonly now: () => number
  readonly callOptions: CallOptions
  readonly keys: Keyspace
  readonly versions: TagVersions
  readonly reporter: OutageReporter
  /** In-process coalescing of route lookups and fills, by entry hash. */
  readonly inflight = new Map<string, Pending<FillOutcome>>()
  /** In-process coalescing of getOrSet loaders, by key. */
  readonly loading = new Map<string, Promise<unknown>>()

  readonly #onEvent: ((event: CacheEvent) => void) | undefined

  constructor(options: ResolvedCacheOptions) {
    this.#onEvent = options.onEvent
    this.client = options.client
    this.prefix = options.prefix
    this.name = options.name
    this.now = options.now
    this.callOptions = options.timeout === undefined ? {} : { timeout: options.timeout }
    this.keys = new Keyspace(this.prefix, this.client.kind)
    this.versions = new TagVersions(this.client, this.keys, options.timeout)
    this.reporter = new OutageReporter(this.client, options.onError)
  }

  emit(event: CacheEvent): void {
    if (this.#onEvent === undefined) return
    try {
      this.#onEvent(event)
    } catch {
      // an observer's failure is not the request's
    }
  }
}
