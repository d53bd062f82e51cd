import { CircuitBreaker } from './circuit-breaker.js'
import { type ClientOptions, type ResolvedClientOptions, resolveClientOptions } from './client-options.js'
import { commands } from './commands.js'
import { type Deadline, Deadlines } from './deadline.js'
import { RedisClientError } from './errors.js'
import { publishScript } from './pubsub/publish-script.js'
import { registryFor } from './pubsub/registry.js'
import { runScriptOver } from './script.js'
import { type Guard, ServerReplyError, type Transport } from './transport.js'
import type {
  Arg,
  CallOptions,
  ClientCapabilities,
  ClientState,
  Command,
  CommandResults,
  RedisClient,
  Reply,
  MessageListener,
  ScanOptions,
  Script,
  StreamTrim,
  SubscribeOptions,
  Subscription,
  XAddOptions,
  XRangeOptions,
} from './types.js'

function toClientError(error: unknown): RedisClientError {
  if (error instanceof RedisClientError) return error
  if (error instanceof ServerReplyError) {
    return new RedisClientError('ERR_REDIS_REPLY', `Redis replied with an error: ${error.message}`, { cause: error })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new RedisClientError('ERR_REDIS_UNAVAILABLE', `Redis is unavailable: ${message}`, { cause: error })
}

const same = <T>(value: T): T => value

/** Reply errors prove the server is up; only I/O failures and timeouts count against the breaker. */
const countsAsOutage = (error: RedisClientError): boolean => error.code !== 'ERR_REDIS_REPLY'

/** Wraps a transport with deadlines, the circuit breaker and typed commands. */
export class ManagedClient implements RedisClient {
  readonly kind: RedisClient['kind']
  readonly capabilities: ClientCapabilities
  readonly #transport: Transport
  readonly #subscriptions = new Set<Subscription>()
  readonly #options: ResolvedClientOptions
  readonly #breaker: CircuitBreaker
  readonly #ownsConnection: boolean
  readonly #deadlines: Deadlines
  #closed = false

  constructor(transport: Transport, options: ResolvedClientOptions, ownsConnection: boolean) {
    this.kind = transport.kind
    this.capabilities = Object.freeze({ ...transport.capabilities })
    this.#transport = transport
    this.#options = options
    this.#breaker = new CircuitBreaker(options.breaker)
    this.#ownsConnection = ownsConnection
    const breaker = this.#breaker
    this.#deadlines = new Deadlines({
      succeeded: () => breaker.succeeded(),
      failed: (error) => {
        const clientError = toClientError(error)
        if (countsAsOutage(clientError)) breaker.failed(clientError)
        else breaker.succeeded()
        return clientError
      },
    })
  }

  get state(): ClientState {
    return this.#breaker.state
  }

  onStateChange(listener: (state: ClientState, error?: Error) => void): () => void {
    return this.#breaker.onChange(listener)
  }

  #guarded<R, T>(
    options: CallOptions | undefined,
    operation: (deadline: Deadline) => Promise<R>,
    parse: (value: R) => T,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new RedisClientError('ERR_REDIS_CLOSED', 'This Redis client was closed.'))
    if (!this.#breaker.allow()) {
      return Promise.reject(
        new RedisClientError(
          'ERR_REDIS_CIRCUIT_OPEN',
          'Redis is marked down after repeated failures; retrying after the cool-down.',
        ),
      )
    }
    return this.#deadlines.run(options?.timeout ?? this.#options.timeout, operation, parse)
  }

  #run<T>(command: Command<T>, options?: CallOptions): Promise<T> {
    return this.#guarded(
      options,
      (deadline) => this.#transport.send(command, deadline),
      (reply) => command.parse(reply),
    )
  }

  get = (key: string, options?: CallOptions) => this.#run(commands.get(key), options)
  getBuffer = (key: string, options?: CallOptions) => this.#run(commands.getBuffer(key), options)
  set = (key: string, value: string | Buffer, options?: Parameters<typeof commands.set>[2]) =>
    this.#run(commands.set(key, value, options), options)
  setGet = (key: string, value: string | Buffer, options?: Parameters<typeof commands.setGet>[2]) =>
    this.#run(commands.setGet(key, value, options), options)
  mget = (keys: readonly string[], options?: CallOptions) =>
    keys.length === 0 ? Promise.resolve([]) : this.#run(commands.mget(keys), options)
  del = (keys: string | readonly string[], options?: CallOptions) =>
    keys.length === 0 ? Promise.resolve(0) : this.#run(commands.del(keys), options)
  unlink = (keys: string | readonly string[], options?: CallOptions) =>
    keys.length === 0 ? Promise.resolve(0) : this.#run(commands.unlink(keys), options)
  exists = (keys: string | readonly string[], options?: CallOptions) =>
    keys.length === 0 ? Promise.resolve(0) : this.#run(commands.exists(keys), options)
  incr = (key: string, options?: CallOptions) => this.#run(commands.incr(key), options)
  incrBy = (key: string, increment: number, options?: CallOptions) =>
    this.#run(commands.incrBy(key, increment), options)
  pexpire = (key: string, milliseconds: number, options?: Parameters<typeof commands.pexpire>[2]) =>
    this.#run(commands.pexpire(key, milliseconds, options), options)
  pexpireAt = (key: string, unixMilliseconds: number, options?: Parameters<typeof commands.pexpireAt>[2]) =>
    this.#run(commands.pexpireAt(key, unixMilliseconds, options), options)
  pttl = (key: string, options?: CallOptions) => this.#run(commands.pttl(key), options)
  hget = (key: string, field: string, options?: CallOptions) => this.#run(commands.hget(key, field), options)
  hmget = (key: string, fields: readonly string[], options?: CallOptions) =>
    fields.length === 0 ? Promise.resolve([]) : this.#run(commands.hmget(key, fields), options)
  hgetall = (key: string, options?: CallOptions) => this.#run(commands.hgetall(key), options)
  hset = (key: string, fields: Readonly<Record<string, string | Buffer>>, options?: CallOptions) =>
    Object.keys(fields).length === 0 ? Promise.resolve(0) : this.#run(commands.hset(key, fields), options)
  hdel = (key: string, fields: readonly string[], options?: CallOptions) =>
    fields.length === 0 ? Promise.resolve(0) : this.#run(commands.hdel(key, fields), options)
  hincrBy = (key: string, field: string, increment: number, options?: CallOptions) =>
    this.#run(commands.hincrBy(key, field, increment), options)
  zadd = (key: string, members: Parameters<typeof commands.zadd>[1], options?: CallOptions) =>
    members.length === 0 ? Promise.resolve(0) : this.#run(commands.zadd(key, members), options)
  zrem = (key: string, members: readonly string[], options?: CallOptions) =>
    members.length === 0 ? Promise.resolve(0) : this.#run(commands.zrem(key, members), options)
  zcard = (key: string, options?: CallOptions) => this.#run(commands.zcard(key), options)
  zscore = (key: string, member: string, options?: CallOptions) => this.#run(commands.zscore(key, member), options)
  zrangeByScore = (
    key: string,
    min: number | string,
    max: number | string,
    options?: Parameters<typeof commands.zrangeByScore>[3],
  ) => this.#run(commands.zrangeByScore(key, min, max, options), options)
  zremRangeByScore = (key: string, min: number | string, max: number | string, options?: CallOptions) =>
    this.#run(commands.zremRangeByScore(key, min, max), options)
  sadd = (key: string, members: readonly string[], options?: CallOptions) =>
    members.length === 0 ? Promise.resolve(0) : this.#run(commands.sadd(key, members), options)
  srem = (key: string, members: readonly string[], options?: CallOptions) =>
    members.length === 0 ? Promise.resolve(0) : this.#run(commands.srem(key, members), options)
  smembers = (key: string, options?: CallOptions) => this.#run(commands.smembers(key), options)
  xadd = (key: string, fields: Readonly<Record<string, string | Buffer>>, options?: XAddOptions) =>
    this.#run(commands.xadd(key, fields, options), options)
  xrange = (key: string, start: string, end: string, options?: XRangeOptions) =>
    this.#run(commands.xrange(key, start, end, options?.count), options)
  xrevrange = (key: string, end: string, start: string, options?: XRangeOptions) =>
    this.#run(commands.xrevrange(key, end, start, options?.count), options)
  xlen = (key: string, options?: CallOptions) => this.#run(commands.xlen(key), options)
  xtrim = (key: string, trim: StreamTrim, options?: CallOptions) => this.#run(commands.xtrim(key, trim), options)
  xdel = (key: string, ids: readonly string[], options?: CallOptions) =>
    ids.length === 0 ? Promise.resolve(0) : this.#run(commands.xdel(key, ids), options)
  time = (options?: CallOptions) => this.#run(commands.time(), options)
  ping = (options?: CallOptions) => this.#run(commands.ping(), options)

  scan(options: ScanOptions = {}): AsyncIterable<string[]> {
    const guard: Guard = (operation) => this.#guarded(options, operation, same)
    return this.#transport.scan(options.match ?? '*', options.count ?? 100, guard)
  }

  runScript<T>(script: Script<T>, keys: readonly string[], args: readonly Arg[], options?: CallOptions): Promise<T> {
    if (keys.length !== script.keys) {
      return Promise.reject(
        new TypeError(`Script "${script.name}" takes ${script.keys} key(s); it was given ${keys.length}.`),
      )
    }
    return this.#guarded(
      options,
      (deadline) => runScriptOver(this.#transport, script, keys, args, deadline),
      (reply) => script.parse(reply),
    )
  }

  publish(channel: string, message: string, options?: CallOptions): Promise<number> {
    if (typeof channel !== 'string' || channel.length === 0) {
      return Promise.reject(new TypeError('publish: channel must be a non-empty string.'))
    }
    if (typeof message !== 'string') return Promise.reject(new TypeError('publish: message must be a string.'))
    if (this.#transport.lineMessages && /[\r\n]/.test(message)) {
      return Promise.reject(
        new TypeError(
          'publish: Upstash delivers messages as Server-Sent-Events lines, so a message cannot contain a line break; encode it (JSON does).',
        ),
      )
    }
    const command = this.capabilities.shardedPubSub ? 'SPUBLISH' : 'PUBLISH'
    return this.runScript(publishScript, [channel], [command, message], options)
  }

  subscribe(
    channels: string | readonly string[],
    listener: MessageListener,
    options: SubscribeOptions = {},
  ): Subscription {
    if (this.#closed) throw new RedisClientError('ERR_REDIS_CLOSED', 'This Redis client was closed.')
    const transport = this.#transport
    const registry = registryFor(transport.connection, (events) => transport.openWire(events))
    const subscription = registry.subscribe(channels, listener, options, () => this.#subscriptions.delete(subscription))
    this.#subscriptions.add(subscription)
    return subscription
  }

  batch<T extends readonly Command<unknown>[]>(
    list: readonly [...T],
    options?: CallOptions,
  ): Promise<CommandResults<T>> {
    if (list.length === 0) return Promise.resolve([] as unknown as CommandResults<T>)
    return this.#guarded(
      options,
      (deadline) => this.#transport.sendBatch(list, deadline),
      (replies) =>
        replies.map((reply: Reply | ServerReplyError, index) => {
          if (reply instanceof ServerReplyError) throw toClientError(reply)
          const command = list[index]
          if (!command) throw new RedisClientError('ERR_REDIS_REPLY', 'Redis returned more replies than commands.')
          return command.parse(reply)
        }) as CommandResults<T>,
    )
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()))
    if (this.#ownsConnection) await this.#transport.close()
  }
}

/**
 * The client an adapter makes over a connection its caller created: `options` read with the
 * adapter's default deadline; `close()` ends the caller's connection only with `closeConnection`.
 */
export function adaptConnection(
  transport: Transport,
  options: ClientOptions & { closeConnection?: boolean },
  defaultTimeout: number,
): RedisClient {
  return new ManagedClient(transport, resolveClientOptions(options, defaultTimeout), options.closeConnection ?? false)
}
