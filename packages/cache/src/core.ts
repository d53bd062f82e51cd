import { type CallOptions, type Hooks, OutageReporter, type RedisClient } from '@rediware/redis'
import type { Entry } from './envelope.js'
import { Flights } from './flights.js'
import { Keyspace } from './keyspace.js'
import { LocalTier } from './local-tier.js'
import { type Found, Lookups, type Read } from './lookups.js'
import type { Loading } from './get-or-set.js'
import type { CacheEvent } from './options.js'
import type { ResolvedCacheOptions } from './resolve-options.js'
import { TagVersions } from './tag-versions.js'

/** What a route lookup or fill hands to requests that waited for it (undefined: nothing shareable). */
export type FillOutcome = { entry: Entry; stale: boolean } | undefined

/** What every route and helper of one `createCache()` shares. */
export class CacheCore {
  readonly client: RedisClient
  readonly prefix: string
  readonly name: string
  readonly now: () => number
  readonly callOptions: CallOptions
  readonly keys: Keyspace
  readonly versions: TagVersions
  readonly hooks: Hooks<CacheEvent>
  /** `onError` once per outage; a success (or the client's breaker closing) ends it. */
  readonly outage: OutageReporter
  /** In-process fills of route entries, by entry hash (request collapsing). */
  readonly flights = new Flights()
  /** Entry lookups shared by concurrent requests for one key. */
  readonly lookups = new Lookups<Found>()
  /** getOrSet lookups shared by concurrent calls for one key. */
  readonly valueLookups = new Lookups<Read>()
  /** getOrSet loaders running in this process, by key. */
  readonly loading = new Map<string, Loading>()
  /** The in-process tier of route entries (`local` option), or undefined. */
  readonly local: LocalTier | undefined

  constructor(options: ResolvedCacheOptions) {
    this.client = options.client
    this.prefix = options.prefix
    this.name = options.name
    this.now = options.now
    this.hooks = options.hooks
    this.callOptions = options.timeout === undefined ? {} : { timeout: options.timeout }
    this.keys = new Keyspace(this.prefix, this.client)
    this.versions = new TagVersions(this.client, this.keys, options.timeout)
    this.outage = new OutageReporter({ onOutage: (error) => this.hooks.error(error) })
    this.outage.follow(this.client)
    this.local =
      options.local === undefined
        ? undefined
        : new LocalTier({
            ...options.local,
            channel: `${this.prefix}invalidations`,
            now: this.now,
            failed: this.failed,
          })
  }

  /** Marks every entry carrying one of `tags` as invalid: in Redis first, then in every process's local tier. */
  async invalidate(tags: readonly string[]): Promise<void> {
    await this.versions.bump(tags)
    await this.local?.invalidated(tags)
  }

  /** A backend call failed: reported once per outage. */
  failed = (error: unknown): void => {
    this.outage.failed(error)
  }

  /** A backend call succeeded. */
  succeeded(): void {
    this.outage.succeeded()
  }

  emit(event: CacheEvent): void {
    this.hooks.event(event)
  }
}
