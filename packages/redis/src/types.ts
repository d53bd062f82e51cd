/** A value Redis returns: bulk strings arrive as `string` (or `Buffer` where a command asks for bytes). */
export type Reply = string | number | null | Buffer | readonly Reply[]

/** An argument sent to Redis. Numbers are sent as their decimal form. */
export type Arg = string | number | Buffer

/** Which adapter a client came from: for logs and diagnostics. Choose behaviour by `capabilities`. */
export type BackendKind = 'ioredis' | 'cluster' | 'node-redis' | 'node-redis-cluster' | 'upstash' | 'memory'

/**
 * Health of a client as the circuit breaker sees it.
 * - `ready`: calls succeed.
 * - `degraded`: recent calls failed, but not enough to stop calling.
 * - `down`: the breaker is open; calls fail fast until a probe succeeds.
 */
export type ClientState = 'ready' | 'degraded' | 'down'

export interface CallOptions {
  /** Deadline for this call in milliseconds, overriding the client's `timeout`. */
  timeout?: number
}

export interface SetOptions extends CallOptions {
  /** Expire after this many milliseconds. */
  px?: number
  /** Expire at this Unix time in milliseconds. */
  pxat?: number
  /** Only set when the key does not exist. */
  nx?: boolean
  /** Only set when the key exists. */
  xx?: boolean
  /** Keep the key's current time to live. */
  keepTtl?: boolean
}

export interface ExpireOptions extends CallOptions {
  nx?: boolean
  xx?: boolean
  gt?: boolean
  lt?: boolean
}

export interface ScoredMember {
  score: number
  member: string
}

export interface RangeByScoreOptions extends CallOptions {
  /** Pagination: skip `offset` members and return at most `count`. */
  limit?: { offset: number; count: number }
  withScores?: boolean
}

export interface ScanOptions extends CallOptions {
  /** Glob pattern, relative to the client's key prefix (ioredis `keyPrefix`). */
  match?: string
  /** Hint for how many keys each SCAN step looks at. Defaults to 100. */
  count?: number
}

/** One stream entry as XRANGE returns it. */
export interface StreamEntry {
  /** `<ms>-<seq>` */
  id: string
  /** The entry's field/value pairs (a field written twice keeps its last value). */
  fields: Record<string, string>
}

/**
 * How to trim a stream: `maxLen` (MAXLEN) keeps the newest entries, `minId` (MINID) drops entries
 * with smaller ids. `approximate` (`~`, the default) lets Redis trim whole nodes only: cheaper, and
 * it may keep more entries than asked (never fewer). `limit` caps the entries one trim removes
 * (approximate only).
 */
export type StreamTrim =
  | { maxLen: number; minId?: undefined; approximate?: boolean; limit?: number }
  | { minId: string; maxLen?: undefined; approximate?: boolean; limit?: number }

export interface XAddOptions extends CallOptions {
  /** The entry id; default `*` (the server's clock). `<ms>-*` picks the next sequence of `<ms>`. */
  id?: string
  /** Trim in the same command. */
  trim?: StreamTrim
  /** Do not create the stream when it does not exist (the call then resolves to null). */
  noMkStream?: boolean
}

export interface XRangeOptions extends CallOptions {
  /** At most this many entries. */
  count?: number
}

/** A pub/sub message listener: the message and the channel it came on. */
export type MessageListener = (message: string, channel: string) => void

export interface SubscribeOptions {
  /**
   * Called each time channels of this subscription become subscribed: the first time and again after
   * every reconnect, always before the first message the new subscription delivers. Pub/sub is
   * at-most-once (what is published while the connection is down is lost), so this is where a
   * consumer catches up from durable state, such as a stream.
   */
  onSubscribe?: (channels: readonly string[]) => void
  /** Called when channels lose their subscription (the connection dropped) or the listener throws. */
  onError?: (error: Error) => void
}

/**
 * A set of channels and a listener. Every subscription of one connection shares one subscriber
 * connection (one per shard on Cluster; one HTTP stream per channel on Upstash).
 */
export interface Subscription {
  /** The channels of this subscription. */
  readonly channels: readonly string[]
  add(channels: string | readonly string[]): void
  remove(channels: string | readonly string[]): void
  /**
   * Resolves once every channel of this subscription is subscribed. Waits as long as that takes
   * unless `timeout` (ms) is given; rejects with ERR_REDIS_CLOSED when the subscription closes first.
   */
  ready(options?: CallOptions): Promise<void>
  /** Leaves every channel; the subscriber connection closes with its last subscription. */
  close(): Promise<void>
}

/** What a client can do, for packages that choose a strategy by capability rather than by library. */
export interface ClientCapabilities {
  /**
   * Keys are spread over hash slots (Redis Cluster): one command or script may only touch keys of one
   * slot, so keys that are used together need a shared `{hash tag}`, and unrelated keys should not
   * share one (they would all land on one node).
   */
  readonly shardedKeys: boolean
  /** Pub/sub is sharded (SPUBLISH/SSUBSCRIBE on Cluster): a channel lives in the slot of its name. */
  readonly shardedPubSub: boolean
  /**
   * Every call is a request of its own (HTTP, Upstash): `batch` saves whole requests, so it pays to
   * gather calls of one event-loop turn into a batch. False where calls of one turn already share a
   * socket write (TCP clients) or there is no I/O (memory).
   */
  readonly requestPerCall: boolean
}

/** One command as it goes to a transport: a name, its arguments and which arguments are keys. */
export interface Command<T> {
  readonly name: string
  readonly args: readonly Arg[]
  /** Indexes into `args` of the arguments that are keys (for prefixes, slots and validation). */
  readonly keyIndexes: readonly number[]
  /** Bulk replies should come back as `Buffer` rather than `string`. */
  readonly wantsBuffers?: boolean
  parse(reply: Reply): T
}

export type CommandResults<T extends readonly Command<unknown>[]> = {
  -readonly [K in keyof T]: T[K] extends Command<infer R> ? R : never
}

/** The subset of Redis every rediware package uses, the same on every backend. */
export interface RedisClient {
  /** The adapter this client came from, for logs; packages choose behaviour by `capabilities`. */
  readonly kind: BackendKind
  readonly capabilities: ClientCapabilities
  /** Current health, as the circuit breaker sees it. */
  readonly state: ClientState
  /** Called on every state change; returns a function that removes the listener. */
  onStateChange(listener: (state: ClientState, error?: Error) => void): () => void

  get(key: string, options?: CallOptions): Promise<string | null>
  getBuffer(key: string, options?: CallOptions): Promise<Buffer | null>
  /** SET; resolves to whether the value was written (false when NX/XX prevented it). */
  set(key: string, value: string | Buffer, options?: SetOptions): Promise<boolean>
  /** SET … GET; resolves to the previous value. */
  setGet(key: string, value: string | Buffer, options?: SetOptions): Promise<string | null>
  mget(keys: readonly string[], options?: CallOptions): Promise<(string | null)[]>
  del(keys: string | readonly string[], options?: CallOptions): Promise<number>
  unlink(keys: string | readonly string[], options?: CallOptions): Promise<number>
  exists(keys: string | readonly string[], options?: CallOptions): Promise<number>
  incr(key: string, options?: CallOptions): Promise<number>
  incrBy(key: string, increment: number, options?: CallOptions): Promise<number>
  pexpire(key: string, milliseconds: number, options?: ExpireOptions): Promise<boolean>
  pexpireAt(key: string, unixMilliseconds: number, options?: ExpireOptions): Promise<boolean>
  /** Remaining time to live in ms; -1 when the key has none, -2 when it does not exist. */
  pttl(key: string, options?: CallOptions): Promise<number>

  hget(key: string, field: string, options?: CallOptions): Promise<string | null>
  hmget(key: string, fields: readonly string[], options?: CallOptions): Promise<(string | null)[]>
  hgetall(key: string, options?: CallOptions): Promise<Record<string, string>>
  hset(key: string, fields: Readonly<Record<string, string | Buffer>>, options?: CallOptions): Promise<number>
  hdel(key: string, fields: readonly string[], options?: CallOptions): Promise<number>
  hincrBy(key: string, field: string, increment: number, options?: CallOptions): Promise<number>

  zadd(key: string, members: readonly ScoredMember[], options?: CallOptions): Promise<number>
  zrem(key: string, members: readonly string[], options?: CallOptions): Promise<number>
  zcard(key: string, options?: CallOptions): Promise<number>
  zscore(key: string, member: string, options?: CallOptions): Promise<number | null>
  zrangeByScore(
    key: string,
    min: number | string,
    max: number | string,
    options?: RangeByScoreOptions,
  ): Promise<string[]>
  zremRangeByScore(key: string, min: number | string, max: number | string, options?: CallOptions): Promise<number>

  sadd(key: string, members: readonly string[], options?: CallOptions): Promise<number>
  srem(key: string, members: readonly string[], options?: CallOptions): Promise<number>
  smembers(key: string, options?: CallOptions): Promise<string[]>

  /** XADD; resolves to the new entry's id (null with `noMkStream` when the stream does not exist). */
  xadd(key: string, fields: Readonly<Record<string, string | Buffer>>, options?: XAddOptions): Promise<string | null>
  /** XRANGE from `start` to `end` (ids, `-`, `+`, or `(id` for exclusive), oldest first. */
  xrange(key: string, start: string, end: string, options?: XRangeOptions): Promise<StreamEntry[]>
  /** XREVRANGE from `end` down to `start`, newest first. */
  xrevrange(key: string, end: string, start: string, options?: XRangeOptions): Promise<StreamEntry[]>
  xlen(key: string, options?: CallOptions): Promise<number>
  /** XTRIM; resolves to the number of entries removed. */
  xtrim(key: string, trim: StreamTrim, options?: CallOptions): Promise<number>
  xdel(key: string, ids: readonly string[], options?: CallOptions): Promise<number>

  /**
   * Publishes `message` on `channel` (SPUBLISH where pub/sub is sharded); resolves to the number of
   * subscribers that received it (on Cluster: of the channel's shard). Channels share the key
   * namespace: an ioredis `keyPrefix` is put in front of them, as for keys.
   */
  publish(channel: string, message: string, options?: CallOptions): Promise<number>
  /**
   * Subscribes `listener` to `channels`. One subscriber connection serves every subscription of
   * this connection; it reconnects by itself and resubscribes, calling `onSubscribe` each time.
   */
  subscribe(channels: string | readonly string[], listener: MessageListener, options?: SubscribeOptions): Subscription

  /** Server time in milliseconds (Redis TIME). */
  time(options?: CallOptions): Promise<number>
  ping(options?: CallOptions): Promise<void>

  /**
   * Iterates every key matching `match` on every master (Cluster) or the one server, one page at a
   * time. Keys are returned without the ioredis `keyPrefix`, like every other key in this API.
   */
  scan(options?: ScanOptions): AsyncIterable<string[]>

  /** Runs a script from `defineScript` (EVALSHA, EVAL only after NOSCRIPT). */
  runScript<T>(script: Script<T>, keys: readonly string[], args: readonly Arg[], options?: CallOptions): Promise<T>

  /**
   * Sends several commands in one round trip where the backend allows it and resolves to their
   * results in order. Build commands with the `commands` helpers. On Cluster the commands are
   * grouped per slot.
   */
  batch<T extends readonly Command<unknown>[]>(
    commands: readonly [...T],
    options?: CallOptions,
  ): Promise<CommandResults<T>>

  /**
   * Closes the subscriptions made through this client (and with the last of them, the subscriber
   * connection, which is always ours), then ends the connection if this client created it
   * (`createClient()` from the environment, or `fromIoredis(x, { closeConnection: true })`). A
   * connection the user passed in (`fromIoredis(x)`, `toClient(x)`, a middleware's `redis` option)
   * is left open: its owner closes it. Calls after `close()` reject with `ERR_REDIS_CLOSED`.
   */
  close(): Promise<void>
}

/** The synchronous Redis a script's `local` twin runs against (the memory backend's keyspace). */
export interface LocalRedis {
  call(name: string, ...args: Arg[]): Reply
}

export interface ScriptDefinition<T> {
  /** Used in error messages. */
  name: string
  /** Number of KEYS the script takes. */
  keys: number
  lua: string
  /** The same operation in TypeScript, run by the memory backend. Must return what the Lua returns. */
  local: (redis: LocalRedis, keys: readonly string[], args: readonly string[]) => Reply
  /** Turns the raw reply into the script's result. Defaults to identity. */
  parse?: (reply: Reply) => T
}

export interface Script<T> {
  readonly name: string
  readonly keys: number
  readonly lua: string
  readonly sha: string
  readonly local: ScriptDefinition<T>['local']
  parse(reply: Reply): T
}
