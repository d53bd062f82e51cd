import type { ClientOptions } from '../client-options.js'
import { adaptConnection } from '../client.js'
import { type Deadline, readyWithin } from '../deadline.js'
import { RedisClientError } from '../errors.js'
import { type Guard, ServerReplyError, type Transport } from '../transport.js'
import type { PubSubWire, WireEvents } from '../pubsub/wire.js'
import type { Arg, ClientCapabilities, Command, RedisClient, Reply } from '../types.js'
import { tcpCapabilities } from './capabilities.js'
import { sendAcrossSlots, sendEach } from './cross-slot.js'
import { ClusterWire } from './cluster-pubsub.js'
import { SettledAwareCommands } from './ioredis-command.js'
import { type IoredisLike, isIoredisCluster, isIoredisLike } from './ioredis-like.js'
import { openIoredisWire } from './ioredis-pubsub.js'
import { scanNodes } from './scan-cursor.js'
import { sameSlot } from './slots.js'
import { type Outgoing, WriteCoalescer } from '../write-coalescer.js'

export interface IoredisAdapterOptions extends ClientOptions {
  /**
   * Hand the connection over: `close()` then QUITs it too. Default false: the caller created it, so
   * the caller closes it (`redis.quit()`), and `close()` leaves it open for the caller's other uses.
   */
  closeConnection?: boolean
}

const isReplyError = (error: unknown): error is Error => error instanceof Error && error.name === 'ReplyError'

const isScalar = (value: unknown): boolean =>
  typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value)

function normalizeReply(value: unknown): Reply {
  if (value === null || value === undefined) return null
  if (isScalar(value)) return value as Reply
  if (Array.isArray(value)) return value.every(isScalar) ? (value as Reply[]) : value.map(normalizeReply)
  throw new RedisClientError('ERR_REDIS_REPLY', `Unexpected reply type from ioredis: ${typeof value}`)
}

const toServerError = (error: unknown): unknown => (isReplyError(error) ? new ServerReplyError(error.message) : error)

/** One pending "ready" wait per connection, shared by every call made while it connects. */
const readyWaits = new WeakMap<IoredisLike, Promise<void>>()

function nextReady(redis: IoredisLike): Promise<void> {
  let wait = readyWaits.get(redis)
  if (!wait) {
    wait = new Promise<void>((resolve) => {
      redis.once('ready', () => {
        readyWaits.delete(redis)
        resolve()
      })
    })
    readyWaits.set(redis, wait)
  }
  return wait
}

/**
 * Resolves once the connection is ready, so no command ever waits in ioredis' offline queue: a
 * command is only handed to ioredis when it can be written at once.
 */
function whenReady(redis: IoredisLike, deadline: Deadline): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  if (redis.status === 'end' || redis.status === 'close') {
    return Promise.reject(new RedisClientError('ERR_REDIS_UNAVAILABLE', `Redis connection is ${redis.status}.`))
  }
  if (redis.status === 'wait') redis.connect().catch(() => undefined)
  return readyWithin(nextReady(redis), deadline)
}

export class IoredisTransport implements Transport {
  readonly kind: 'ioredis' | 'cluster'
  readonly capabilities: ClientCapabilities
  readonly connection: object
  readonly #redis: IoredisLike
  readonly #prefix: string
  readonly #coalescer: WriteCoalescer | undefined
  /**
   * Every command this transport hands ioredis. ioredis sends a command again on its own (see
   * `SettledAwareCommands`), possibly after our deadline reported it failed; these commands are
   * written as a no-op then.
   */
  readonly #commands: SettledAwareCommands

  constructor(redis: IoredisLike) {
    this.#redis = redis
    this.kind = isIoredisCluster(redis) ? 'cluster' : 'ioredis'
    this.#commands = new SettledAwareCommands(redis)
    this.capabilities = tcpCapabilities(this.kind === 'cluster')
    this.connection = redis
    this.#prefix = redis.options.keyPrefix ?? ''
    this.#coalescer =
      this.kind === 'ioredis'
        ? new WriteCoalescer(
            (command, deadline) => this.#sendNow(command, deadline),
            (list) => this.#pipeline(list),
            (write) => this.#corked(write),
          )
        : undefined
  }

  send(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    if (this.kind === 'cluster' && command.keyIndexes.length > 1 && !sameSlot([command])) {
      return sendAcrossSlots(command, deadline, (part, partDeadline) => this.send(part, partDeadline))
    }
    // The common case (connected) hands the command over at once, without an extra promise.
    if (this.#redis.status === 'ready') return this.#handOver(command, deadline)
    return whenReady(this.#redis, deadline).then(() => this.#handOver(command, deadline))
  }

  /** A standalone connection coalesces concurrent commands into one write; a Cluster routes each
   * command to its own node, so it sends them as they come. */
  #handOver(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    return this.#coalescer ? this.#coalescer.send(command, deadline) : this.#sendNow(command, deadline)
  }

  /** Commands written while the socket is corked leave in one write, without a pipeline object. */
  #corked(write: () => void): boolean {
    const socket = this.#redis.stream
    if (!socket || typeof socket.cork !== 'function' || typeof socket.uncork !== 'function') return false
    socket.cork()
    try {
      write()
    } finally {
      socket.uncork()
    }
    return true
  }

  async #sendNow(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    const built = this.#commands.build(command.name, command.args as Arg[], command.wantsBuffers === true, deadline)
    try {
      return normalizeReply(await this.#redis.sendCommand(built))
    } catch (error) {
      throw toServerError(error)
    }
  }

  /** One pipeline for commands that all go to this connection; error replies stay in place. */
  async #pipeline(list: readonly Outgoing[]): Promise<(Reply | ServerReplyError)[]> {
    const pipeline = this.#redis.pipeline()
    const commands = this.#commands
    for (const { command, deadline } of list) {
      pipeline.sendCommand(commands.build(command.name, command.args as Arg[], command.wantsBuffers === true, deadline))
    }
    const results = await pipeline.exec()
    if (!results) throw new RedisClientError('ERR_REDIS_UNAVAILABLE', 'The pipeline was discarded.')
    return results.map(([error, reply]) => {
      if (!error) return normalizeReply(reply)
      if (isReplyError(error)) return new ServerReplyError(error.message)
      throw error
    })
  }

  async sendBatch(list: readonly Command<unknown>[], deadline: Deadline): Promise<(Reply | ServerReplyError)[]> {
    if (this.kind === 'cluster' && !sameSlot(list)) {
      return sendEach(list, deadline, (command, commandDeadline) => this.send(command, commandDeadline))
    }
    await whenReady(this.#redis, deadline)
    return this.#pipeline(list.map((command) => ({ command, deadline })))
  }

  async *scan(match: string, count: number, guard: Guard): AsyncIterable<string[]> {
    const nodes = isIoredisCluster(this.#redis) ? this.#redis.nodes('master') : [this.#redis]
    // A cluster node connection does not apply the cluster-level keyPrefix, so the pattern carries it
    // explicitly; ioredis never prefixes a SCAN pattern on its own.
    const pattern = this.#prefix + match
    const scanPage = async (node: IoredisLike, cursor: string, deadline: Deadline) => {
      await whenReady(node, deadline)
      const scan = this.#commands.build('SCAN', [cursor, 'MATCH', pattern, 'COUNT', count], false, deadline)
      return normalizeReply(await node.sendCommand(scan))
    }
    yield* scanNodes(nodes, scanPage, guard, this.#prefix)
  }

  openWire(events: WireEvents): PubSubWire {
    const redis = this.#redis
    return isIoredisCluster(redis) ? new ClusterWire(redis, events) : openIoredisWire(redis, events)
  }

  /** Resolves once the connection has ended, not on QUIT's reply (the socket is still open then). */
  async close(): Promise<void> {
    const ended = whenEnded(this.#redis, CLOSE_BOUND_MS)
    try {
      await this.#redis.quit()
    } catch {
      this.#redis.disconnect()
    }
    await ended
  }
}

const CLOSE_BOUND_MS = 2000

/** Resolves on the connection's `end`, or after `bound` ms, when it is dropped instead. */
function whenEnded(redis: IoredisLike, bound: number): Promise<void> {
  if (redis.status === 'end') return Promise.resolve()
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      redis.removeListener('end', done)
      resolve()
    }
    const timer = setTimeout(() => {
      redis.disconnect()
      done()
    }, bound)
    redis.once('end', done)
  })
}

/**
 * Adapts an ioredis `Redis` or `Cluster`. Respects its `keyPrefix`; binary-safe. Default deadline
 * 250 ms.
 *
 * The connection stays the caller's: `close()` ends this client and the subscriber connection it
 * made, but leaves `redis` open, so a process that still holds it does not exit until the caller
 * runs `redis.quit()`. Pass `closeConnection: true` to have `close()` quit it as well.
 */
export function fromIoredis(redis: unknown, options: IoredisAdapterOptions = {}): RedisClient {
  if (!isIoredisLike(redis)) {
    throw new TypeError('fromIoredis() expects an ioredis Redis or Cluster instance.')
  }
  return adaptConnection(new IoredisTransport(redis), options, 250)
}
