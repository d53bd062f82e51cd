import type { OutageReporter, RedisClient } from '@rediware/redis'
import type { RealtimeKeys } from './keys.js'
import { checkChannel, type ResolvedOptions, realtimeOptionReader as reader } from './options.js'
import { appendScript } from './scripts/append.js'

/** What `publish` takes: the SSE event name and its data (anything JSON can carry). */
export interface PublishedEvent<T = unknown> {
  type: string
  data: T
}

/** Event types the stream itself uses (and the browser's own EventSource events). */
export const RESERVED_TYPES: ReadonlySet<string> = new Set(['reset', 'reconnect', 'open', 'error'])

const MAX_TYPE_LENGTH = 128
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const controlCharacter = /[\u0000-\u001f\u007f]/

function checkType(type: unknown): string {
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_TYPE_LENGTH || controlCharacter.test(type)) {
    throw reader.typeError(
      `publish(): event.type must be a string of 1 to ${MAX_TYPE_LENGTH} characters without control characters (it is the SSE event name), such as 'stock'.`,
    )
  }
  if (RESERVED_TYPES.has(type)) {
    throw reader.rangeError(
      `publish(): event.type '${type}' is reserved (${[...RESERVED_TYPES].join(', ')} are the stream's own events); pick another name.`,
    )
  }
  return type
}

function serialise(data: unknown, maxEventSize: number): string {
  let json: string | undefined
  try {
    json = JSON.stringify(data)
  } catch (error) {
    throw reader.typeError(`publish(): event.data cannot be serialised as JSON (${(error as Error).message}).`)
  }
  if (json === undefined)
    throw reader.typeError(
      'publish(): event.data must be a JSON value (not undefined or a function); use null for no data.',
    )
  if (json.length > maxEventSize || Buffer.byteLength(json) > maxEventSize) {
    throw reader.rangeError(
      `publish(): event.data is ${Buffer.byteLength(json)} bytes of JSON, over maxEventSize (${maxEventSize}); publish an id and let clients fetch the rest, or raise maxEventSize.`,
    )
  }
  return json
}

/** `publish`: appends an event to its channel's log and returns the event's id. */
export type Publish = (channel: string, event: PublishedEvent) => Promise<string>

/**
 * Publishes to channel logs: one script call per event (XADD, trims, expiry, the announcement),
 * each outcome reported to `outage`.
 */
export function publisher(
  client: RedisClient,
  keys: RealtimeKeys,
  settings: ResolvedOptions,
  outage: OutageReporter,
): Publish {
  return async (channel, event) => {
    checkChannel(channel, 'publish()')
    if (typeof event !== 'object' || event === null) {
      throw reader.typeError(
        "publish(channel, event): event must be an object such as { type: 'stock', data: { id: 4 } }.",
      )
    }
    const type = checkType(event.type)
    const data = serialise(event.data, settings.maxEventSize)
    const { log, live } = keys.of(channel)
    const { maxLen, ttl, timeout } = settings
    const publish = client.capabilities.shardedPubSub ? 'SPUBLISH' : 'PUBLISH'
    try {
      const id = await client.runScript(appendScript, [log, live], [type, data, maxLen, ttl, publish], { timeout })
      outage.succeeded()
      return id
    } catch (error) {
      outage.failed(error)
      throw error
    }
  }
}
