import {
  describeValue,
  type Duration,
  type HookOptions,
  isRedisClient,
  type OptionNames,
  optionReader,
  type OptionReader,
  type RedisClient,
  type RedisInput,
  type ResolvedSharedOptions,
  resolveHooks,
  resolveRedisOption,
} from '@rediware/redis'
import type { Request } from 'express'

/** What `onEvent` receives. */
export type RealtimeActivity =
  | { type: 'open'; channels: readonly string[]; resumed: boolean }
  | { type: 'close'; channels: readonly string[]; reason: CloseReason }
  | { type: 'forbidden'; channel: string }
  | { type: 'reset'; channel: string }
  | { type: 'listener-error'; channel: string; error: Error }

/** Why a stream ended: the client left, it fell too far behind, or `close()` ended it. */
export type CloseReason = 'client' | 'backlog' | 'shutdown'

/** Options of `createRealtime()`. */
export interface RealtimeOptions extends HookOptions<RealtimeActivity> {
  /** ioredis `Redis`/`Cluster`, node-redis client/cluster, `@upstash/redis` `Redis`, or a `RedisClient`. Omitted: in-process memory (one warning). */
  redis?: RedisInput
  /** Namespaces every key and pub/sub channel. Default `'rt:'`. */
  prefix?: string
  /** How much of each channel's log is kept for clients that reconnect. */
  history?: {
    /** Keep about this many events per channel (trimmed by whole stream nodes: a few more may stay). Default 1000. */
    maxLen?: number
    /** Drop events older than this; a channel's log expires this long after its last event. Default `'1 h'`. */
    ttl?: Duration
  }
  /** Deadline of each Redis call (publish, history reads). Default: the client's own (250 ms over TCP, 1 s over HTTP). */
  timeout?: Duration
  /** Interval of the comment lines that keep idle streams open through proxies. Default `'15 s'`. */
  heartbeat?: Duration
  /** Reconnection delay sent to browsers (`retry:`), spread ±50% per stream. Default `'3 s'`. */
  retry?: Duration
  /** How far one client may fall behind before its stream is closed (it reconnects and resumes). */
  backlog?: {
    /** Bytes waiting for a client that does not read. Default 1 MiB. */
    maxBytes?: number
    /** Events waiting for a client that does not read. Default 1000. */
    maxEvents?: number
  }
  /** Largest event `data` accepted by `publish`, in bytes of JSON. Default 64 KiB. */
  maxEventSize?: number
}

/** Options of `rt.sse()`. */
export interface SseOptions {
  /** The channels this request's stream reads, fixed or from the request (may be async). */
  channels: readonly string[] | ((req: Request) => readonly string[] | Promise<readonly string[]>)
  /** Whether the request may read `channel`; any refusal answers 403 before the stream opens. */
  authorize?: (req: Request, channel: string) => boolean | Promise<boolean>
}

export interface ResolvedOptions extends ResolvedSharedOptions<RealtimeActivity> {
  ownsClient: boolean
  maxLen: number
  ttl: number
  heartbeat: number
  retry: number
  maxBacklogBytes: number
  maxBacklogEvents: number
  maxEventSize: number
  warn: (message: string) => void
}

export interface ResolvedSseOptions {
  channels: (req: Request) => readonly string[] | Promise<readonly string[]>
  authorize: ((req: Request, channel: string) => boolean | Promise<boolean>) | undefined
}

const reader: OptionReader = optionReader('@rediware/realtime')

const optionNames: OptionNames<RealtimeOptions> = {
  redis: true,
  prefix: true,
  history: true,
  timeout: true,
  heartbeat: true,
  retry: true,
  backlog: true,
  maxEventSize: true,
  onError: true,
  onEvent: true,
  warn: true,
}
const historyNames: OptionNames<NonNullable<RealtimeOptions['history']>> = { maxLen: true, ttl: true }
const backlogNames: OptionNames<NonNullable<RealtimeOptions['backlog']>> = { maxBytes: true, maxEvents: true }
const sseNames: OptionNames<SseOptions> = { channels: true, authorize: true }

const hints: Readonly<Record<string, string>> = {
  keepAlive: 'heartbeat',
  pingInterval: 'heartbeat',
  maxLength: 'history: { maxLen }',
  maxLen: 'history: { maxLen }',
  ttl: 'history: { ttl }',
  client: 'redis',
  keyPrefix: 'prefix',
}

/** The client, and whether closing this Realtime closes it: yes unless the caller passed a RedisClient. */
function resolveClient(input: unknown, warn: (message: string) => void): { client: RedisClient; ownsClient: boolean } {
  const client = resolveRedisOption(reader, input, {
    code: 'REDIWARE_REALTIME_MEMORY',
    warning:
      '@rediware/realtime: no `redis` option, so events reach only clients of this process and history is lost on restart. Pass an ioredis, node-redis, Cluster or @upstash/redis client to fan out across processes.',
    warn,
  })
  return { client, ownsClient: !isRedisClient(input) }
}

export function resolveOptions(input: unknown = {}): ResolvedOptions {
  const options = reader.object<RealtimeOptions>(input, optionNames, {
    example: "{ redis, prefix: 'rt:', history: { maxLen: 1000, ttl: '1 h' } }",
    hints,
  })
  const hooks = resolveHooks<RealtimeActivity>(
    reader,
    options,
    (error) => `Redis is failing; open streams stay open and catch up when it returns (${error.message}).`,
  )
  const warn = reader.fn<(message: string) => void>(options.warn, 'warn', '(message) => void') ?? console.warn
  const history = reader.nested(options.history, 'history', historyNames, "{ maxLen: 1000, ttl: '1 h' }") ?? {}
  const backlog =
    reader.nested(options.backlog, 'backlog', backlogNames, '{ maxBytes: 1048576, maxEvents: 1000 }') ?? {}
  const maxEventSize = reader.integer(options.maxEventSize, 'maxEventSize', 64 * 1024, {
    min: 16,
    max: 16 * 1024 * 1024,
  })
  const maxBacklogBytes = reader.integer(backlog.maxBytes, 'backlog.maxBytes', 1024 * 1024, { min: 1024 })
  if (maxBacklogBytes < maxEventSize) {
    throw reader.rangeError(
      `backlog.maxBytes (${maxBacklogBytes}) must be at least maxEventSize (${maxEventSize}), or one event could evict a client; raise backlog.maxBytes or lower maxEventSize.`,
    )
  }
  const resolved = {
    prefix: reader.prefix(options.prefix, 'prefix', 'rt:'),
    maxLen: reader.integer(history.maxLen, 'history.maxLen', 1000, { min: 1, max: 10_000_000 }),
    ttl: reader.duration(history.ttl, 'history.ttl', 3_600_000),
    timeout: reader.optionalDuration(options.timeout, 'timeout'),
    heartbeat: reader.duration(options.heartbeat, 'heartbeat', 15_000),
    retry: reader.duration(options.retry, 'retry', 3000),
    maxBacklogBytes,
    maxBacklogEvents: reader.integer(backlog.maxEvents, 'backlog.maxEvents', 1000, { min: 1 }),
    maxEventSize,
    hooks,
    warn,
  }
  return { ...resolved, ...resolveClient(options.redis, warn) }
}

export function resolveSseOptions(input: unknown): ResolvedSseOptions {
  const options = reader.object<SseOptions>(input, sseNames, {
    example: "{ channels: (req) => ['news'], authorize: (req, channel) => true }",
  })
  const { channels } = options
  if (channels === undefined) {
    throw reader.typeError("sse(): channels is required: a list such as ['news'] or a function (req) => string[].")
  }
  const authorize = reader.fn<NonNullable<SseOptions['authorize']>>(
    options.authorize,
    'authorize',
    '(req, channel) => boolean | Promise<boolean>',
  )
  if (typeof channels === 'function') return { channels, authorize }
  const fixed = checkChannels(channels, 'sse(): channels')
  return { channels: () => fixed, authorize }
}

/** Longest channel name. */
export const MAX_CHANNEL_LENGTH = 256
/** Most channels one stream reads. */
export const MAX_CHANNELS_PER_STREAM = 64

/** A list of distinct channel names, or a TypeError/RangeError naming `where`. */
export function checkChannels(value: unknown, where: string): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw reader.typeError(
      `${where} must be a non-empty array of channel names such as ['news']; got ${describeValue(value)}.`,
    )
  }
  for (const channel of value) checkChannel(channel, where)
  const distinct = [...new Set(value as string[])]
  if (distinct.length > MAX_CHANNELS_PER_STREAM) {
    throw reader.rangeError(
      `${where}: one stream reads at most ${MAX_CHANNELS_PER_STREAM} channels; got ${distinct.length}.`,
    )
  }
  return distinct
}

export function checkChannel(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw reader.typeError(`${where}: a channel name must be a non-empty string; got ${describeValue(value)}.`)
  }
  if (value.length > MAX_CHANNEL_LENGTH) {
    throw reader.rangeError(
      `${where}: a channel name is at most ${MAX_CHANNEL_LENGTH} characters; got ${value.length}.`,
    )
  }
  return value
}

export { reader as realtimeOptionReader }
