import type { ClientOptions } from '../client-options.js'
import { adaptConnection } from '../client.js'
import { type Deadline, readyWithin } from '../deadline.js'
import { RedisClientError } from '../errors.js'
import type { PubSubWire, WireEvents } from '../pubsub/wire.js'
import type { Guard, ServerReplyError, Transport } from '../transport.js'
import type { Arg, ClientCapabilities, Command, RedisClient, Reply } from '../types.js'
import { tcpCapabilities } from './capabilities.js'
import { sendAcrossSlots, sendEach } from './cross-slot.js'
import {
  isNodeRedisCluster,
  isNodeRedisLike,
  isWritable,
  readyEvent,
  keyPrefixOf,
  type NodeRedisArg,
  type NodeRedisClientLike,
  type NodeRedisClusterLike,
  type NodeRedisLike,
} from './node-redis-like.js'
import { openNodeRedisWire } from './node-redis-pubsub.js'
import { bufferMapping, normalizeReply, textMapping, toServerError } from './node-redis-reply.js'
import { scanNodes } from './scan-cursor.js'
import { sameSlot } from './slots.js'

export interface NodeRedisAdapterOptions extends ClientOptions {
  /** Close the node-redis connection on `close()`. Default false: the caller owns what it passed in. */
  closeConnection?: boolean
}

/** One pending "ready" wait per connection, shared by every call made while it reconnects. */
const readyWaits = new WeakMap<NodeRedisLike, Promise<void>>()

function nextReady(client: NodeRedisLike): Promise<void> {
  let wait = readyWaits.get(client)
  if (!wait) {
    wait = new Promise<void>((resolve) => {
      const event = readyEvent(client)
      const onReady = () => {
        client.off(event, onReady)
        readyWaits.delete(client)
        resolve()
      }
      client.on(event, onReady)
    })
    readyWaits.set(client, wait)
  }
  return wait
}

/**
 * Resolves once the connection can write, so no command waits in node-redis' offline queue past its
 * deadline: while it reconnects, the call waits here and gives up with its deadline.
 */
function whenReady(client: NodeRedisLike, deadline: Deadline): Promise<void> {
  if (isWritable(client)) return Promise.resolve()
  if (!client.isOpen) {
    return Promise.reject(
      new RedisClientError(
        'ERR_REDIS_UNAVAILABLE',
        'The node-redis client is not open: call connect() before passing it, and keep it open.',
      ),
    )
  }
  return readyWithin(nextReady(client), deadline)
}

export class NodeRedisTransport implements Transport {
  readonly kind: 'node-redis' | 'node-redis-cluster'
  readonly capabilities: ClientCapabilities
  readonly connection: object
  readonly #client: NodeRedisLike
  readonly #cluster: NodeRedisClusterLike | undefined
  readonly #prefix: string

  constructor(client: NodeRedisLike) {
    this.#client = client
    this.#cluster = isNodeRedisCluster(client) ? client : undefined
    this.kind = this.#cluster ? 'node-redis-cluster' : 'node-redis'
    this.capabilities = tcpCapabilities(this.#cluster !== undefined)
    this.connection = client
    this.#prefix = keyPrefixOf(client)
  }

  send(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    if (this.capabilities.shardedKeys && command.keyIndexes.length > 1 && !sameSlot([command])) {
      return sendAcrossSlots(command, deadline, (part, partDeadline) => this.send(part, partDeadline))
    }
    if (isWritable(this.#client)) return this.#sendNow(command, deadline)
    return whenReady(this.#client, deadline).then(() => this.#sendNow(command, deadline))
  }

  /** The command as node-redis takes it: name first, numbers as text, keys with the client's `keyPrefix`. */
  #wireArgs(command: Command<unknown>): NodeRedisArg[] {
    const source = command.args
    const wire = new Array<NodeRedisArg>(source.length + 1)
    wire[0] = command.name
    for (let index = 0; index < source.length; index += 1) {
      const arg = source[index] as Arg
      wire[index + 1] = typeof arg === 'number' ? String(arg) : arg
    }
    // node-redis does not prefix `sendCommand`.
    const prefix = this.#prefix
    if (prefix !== '') for (const index of command.keyIndexes) wire[index + 1] = prefix + String(source[index])
    return wire
  }

  #sendNow(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    try {
      const wire = this.#wireArgs(command)
      // A command handed over just before the socket dropped waits in node-redis' queue and would be
      // written after the reconnect; the deadline's signal takes it out, so it is never sent after
      // the caller gave up.
      const options = { typeMapping: command.wantsBuffers ? bufferMapping : textMapping, abortSignal: deadline.expiry }
      const cluster = this.#cluster
      const reply = cluster
        ? cluster.sendCommand(firstKey(command, wire), false, wire, options)
        : (this.#client as NodeRedisClientLike).sendCommand(wire, options)
      return reply.then((value) => normalizeReply(command, value), rejectAsServerError)
    } catch (error) {
      return rejectAsServerError(error)
    }
  }

  /**
   * node-redis writes every command of one event-loop turn in one write (auto-pipelining), so a batch
   * is its commands sent together; a Cluster sends them to their slots' nodes.
   */
  async sendBatch(list: readonly Command<unknown>[], deadline: Deadline): Promise<(Reply | ServerReplyError)[]> {
    return sendEach(list, deadline, (command, commandDeadline) => this.send(command, commandDeadline))
  }

  async *scan(match: string, count: number, guard: Guard): AsyncIterable<string[]> {
    const cluster = this.#cluster
    const nodes: NodeRedisClientLike[] = cluster
      ? await Promise.all(cluster.masters.map((master) => cluster.nodeClient(master)))
      : [this.#client as NodeRedisClientLike]
    const pattern = this.#prefix + match
    const scanPage = async (node: NodeRedisClientLike, cursor: string, deadline: Deadline) => {
      await whenReady(node, deadline)
      const wire = ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)]
      return normalizeReply(scanCommand, await node.sendCommand(wire, { typeMapping: textMapping }))
    }
    yield* scanNodes(nodes, scanPage, guard, this.#prefix)
  }

  openWire(events: WireEvents): PubSubWire {
    return openNodeRedisWire(this.#client, this.#prefix, events)
  }

  async close(): Promise<void> {
    const client = this.#client
    if (!client.isOpen) return
    try {
      await (client.close ? client.close() : client.quit?.())
    } catch {
      client.destroy()
    }
  }
}

/** The key a Cluster routes a command by: its first key, or none (any node). `wire` starts with the name. */
function firstKey(command: Command<unknown>, wire: readonly NodeRedisArg[]): NodeRedisArg | undefined {
  const index = command.keyIndexes[0]
  return index === undefined ? undefined : wire[index + 1]
}

/** What `normalizeReply` reads a SCAN reply as: text, parsed by the caller. */
const scanCommand: Command<unknown> = { name: 'SCAN', args: [], keyIndexes: [], parse: (value) => value }

const rejectAsServerError = (error: unknown): Promise<never> => Promise.reject(toServerError(error))

/**
 * Adapts a node-redis client (`createClient()`) or cluster (`createCluster()`) of `redis` 5 or 6,
 * connected (`await client.connect()`). RESP2 and RESP3 read alike; respects node-redis 6's
 * `keyPrefix`; binary-safe. Default deadline 250 ms.
 */
export function fromNodeRedis(client: unknown, options: NodeRedisAdapterOptions = {}): RedisClient {
  if (!isNodeRedisLike(client)) {
    throw new TypeError('fromNodeRedis() expects a node-redis client (createClient()) or cluster (createCluster()).')
  }
  return adaptConnection(new NodeRedisTransport(client), options, 250)
}
