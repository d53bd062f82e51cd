import { memoryCapabilities } from './capabilities.js'
import { resolveClientOptions, type ClientOptions } from '../client-options.js'
import { ManagedClient } from '../client.js'
import { execute } from '../memory/execute.js'
import { globToRegExp } from '../memory/glob.js'
import { Keyspace } from '../memory/keyspace.js'
import type { PubSubWire, WireEvents } from '../pubsub/wire.js'
import type { Guard, ServerReplyError, Transport } from '../transport.js'
import type { Arg, Command, LocalRedis, RedisClient, Reply, Script } from '../types.js'

export interface MemoryClientOptions extends ClientOptions {
  /** Source of time in Unix ms, for tests that control time. Default `Date.now`. */
  clock?: () => number
}

function toStrings(reply: Reply): Reply {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8')
  if (Array.isArray(reply)) return reply.map(toStrings)
  return reply
}

/** In-process pub/sub on the keyspace's bus: subscribed at once, never lost. */
function openMemoryWire(space: Keyspace, events: WireEvents): PubSubWire {
  const subscribed = new Set<string>()
  const receive = (channel: string, message: string) => {
    if (subscribed.has(channel)) events.message(channel, message)
  }
  const unsubscribe = (channels: readonly string[]) => {
    for (const channel of channels) {
      subscribed.delete(channel)
      space.pubsub.unsubscribe(channel, receive)
    }
  }
  return {
    subscribe: (channels) => {
      for (const channel of channels) {
        subscribed.add(channel)
        space.pubsub.subscribe(channel, receive)
      }
      queueMicrotask(() => events.subscribed(channels.filter((channel) => subscribed.has(channel))))
    },
    unsubscribe,
    close: async () => unsubscribe([...subscribed]),
  }
}

class MemoryTransport implements Transport {
  readonly kind = 'memory' as const
  readonly capabilities = memoryCapabilities
  readonly connection: object
  readonly #space: Keyspace
  readonly #local: LocalRedis

  constructor(space: Keyspace) {
    this.#space = space
    this.connection = space
    this.#local = { call: (name: string, ...args: Arg[]) => toStrings(execute(space, name, args)) }
  }

  #run(command: Command<unknown>): Reply {
    const reply = execute(this.#space, command.name, command.args)
    return command.wantsBuffers ? reply : toStrings(reply)
  }

  async send(command: Command<unknown>): Promise<Reply> {
    return this.#run(command)
  }

  async sendBatch(list: readonly Command<unknown>[]): Promise<(Reply | ServerReplyError)[]> {
    return list.map((command) => {
      try {
        return this.#run(command)
      } catch (error) {
        return error as ServerReplyError
      }
    })
  }

  async runScript(script: Script<unknown>, keys: readonly string[], args: readonly Arg[]): Promise<Reply> {
    const textArgs = args.map((arg) => (Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg)))
    return toStrings(script.local(this.#local, keys, textArgs))
  }

  async *scan(match: string, count: number, guard: Guard): AsyncIterable<string[]> {
    const pattern = globToRegExp(match)
    const keys = await guard(async () => [...this.#space.keys()].filter((key) => pattern.test(key)))
    for (let index = 0; index < keys.length; index += count) yield keys.slice(index, index + count)
  }

  openWire(events: WireEvents): PubSubWire {
    return openMemoryWire(this.#space, events)
  }

  async close(): Promise<void> {}
}

/**
 * An in-process backend: one process only, data lost on exit. For development, tests of user apps
 * and the example app's first start. Runs each script's `local` twin.
 */
export function memoryClient(options: MemoryClientOptions = {}): RedisClient {
  return new ManagedClient(new MemoryTransport(new Keyspace(options.clock)), resolveClientOptions(options, 1000), true)
}
