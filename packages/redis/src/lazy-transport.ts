import type { Deadline } from './deadline.js'
import { DeferredWire, type PubSubWire, type WireEvents } from './pubsub/wire.js'
import { runScriptOver } from './script.js'
import type { Guard, ServerReplyError, Transport } from './transport.js'
import type { Arg, BackendKind, ClientCapabilities, Command, Reply, Script } from './types.js'

/** A transport whose real one is built on first use (to load an optional driver without blocking). */
export class LazyTransport implements Transport {
  readonly kind: BackendKind
  readonly capabilities: ClientCapabilities
  readonly connection: object = this
  readonly #create: () => Promise<Transport>
  #transport: Promise<Transport> | undefined

  constructor(kind: BackendKind, capabilities: ClientCapabilities, create: () => Promise<Transport>) {
    this.kind = kind
    this.capabilities = capabilities
    this.#create = create
  }

  openWire(events: WireEvents): PubSubWire {
    return new DeferredWire(
      this.#get().then((transport) => transport.openWire(events)),
      events,
    )
  }

  #get(): Promise<Transport> {
    this.#transport ??= this.#create()
    return this.#transport
  }

  async send(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    return (await this.#get()).send(command, deadline)
  }

  async sendBatch(list: readonly Command<unknown>[], deadline: Deadline): Promise<(Reply | ServerReplyError)[]> {
    return (await this.#get()).sendBatch(list, deadline)
  }

  async runScript(
    script: Script<unknown>,
    keys: readonly string[],
    args: readonly Arg[],
    deadline: Deadline,
  ): Promise<Reply> {
    return runScriptOver(await this.#get(), script, keys, args, deadline)
  }

  async *scan(match: string, count: number, guard: Guard): AsyncIterable<string[]> {
    yield* (await this.#get()).scan(match, count, guard)
  }

  async close(): Promise<void> {
    if (this.#transport) await (await this.#transport).close()
  }
}
