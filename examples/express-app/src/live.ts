import { createRealtime, type Realtime, type RealtimeActivity } from '@rediware/realtime'
import type { RedisClient } from '@rediware/redis'

/** The public channel of catalog changes: the page streams it from GET /api/live. */
export const CATALOG_CHANNEL = 'catalog'

/** Live updates to browsers (price changes), across every process of the app that shares `redis`. */
export function liveUpdates(redis: RedisClient, keyPrefix: string, warn: (message: string) => void, onEvent?: (event: RealtimeActivity) => void): Realtime {
  return createRealtime({
    redis,
    prefix: `${keyPrefix}rt:`,
    warn,
    onError: (error) => warn(`[example] live updates: ${error.message}`),
    ...(onEvent === undefined ? {} : { onEvent }),
  })
}
