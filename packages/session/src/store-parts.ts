import type { RedisClient } from '@rediware/redis'
import type { ResolvedStoreOptions } from './options.js'
import type { SessionCodec } from './session-codec.js'
import type { SessionKeys } from './session-keys.js'
import type { StoreEvents } from './store-events.js'
import type { StoreOutage } from './store-outage.js'

/** What the store's reads and writes work with. */
export interface StoreParts {
  client: RedisClient
  options: ResolvedStoreOptions
  keys: SessionKeys
  codec: SessionCodec
  events: StoreEvents
  outage: StoreOutage
  /** Whether an error is swallowed (`onStoreError: 'anonymous'` in an outage). */
  tolerate: (error: unknown) => boolean
}
