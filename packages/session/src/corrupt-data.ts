import { isRedisClientError, type RedisClient } from '@rediware/redis'
import type { StoreEvents } from './store-events.js'

/** A reply error saying the key holds another Redis type than the command expects (stored garbage). */
export const isWrongType = (error: unknown): boolean =>
  isRedisClientError(error) && error.code === 'ERR_REDIS_REPLY' && error.message.includes('WRONGTYPE')

/** Reports an unreadable session and deletes it (the request goes on logged out). */
export async function removeCorrupt(
  client: RedisClient,
  events: StoreEvents,
  member: string,
  key: string,
  error: unknown,
): Promise<null> {
  events.corrupt(member, error)
  try {
    await client.del(key)
  } catch (deleteError) {
    events.background('removing a corrupt session', deleteError)
  }
  return null
}
