import type { Deadline } from './deadline.js'
import type { PubSubWire, WireEvents } from './pubsub/wire.js'
import type { Arg, BackendKind, ClientCapabilities, Command, Reply, Script } from './types.js'

/** Runs `fn` under the client's deadline and breaker; what transports use for multi-step work. */
export type Guard = <T>(fn: (deadline: Deadline) => Promise<T>) => Promise<T>

/** An error reply from the server (WRONGTYPE, NOSCRIPT, …), as opposed to a failure to reach it. */
export class ServerReplyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ServerReplyError'
  }
}

/**
 * What an adapter implements. The client around it adds deadlines, the circuit breaker, state and
 * typed parsing; the transport only moves commands and replies.
 */
export interface Transport {
  readonly kind: BackendKind
  /** What the client over this transport can do (see `ClientCapabilities`). */
  readonly capabilities: ClientCapabilities
  /** Messages travel as text lines (Upstash's SSE): a line break would cut a message short. */
  readonly lineMessages?: boolean
  /** What subscriber connections are shared by: every client over this connection shares one. */
  readonly connection: object
  /** Opens this backend's subscriber side (see `PubSubWire`). */
  openWire(events: WireEvents): PubSubWire
  /** Sends one command; rejects with ServerReplyError for an error reply, anything else for I/O failure. */
  send(command: Command<unknown>, deadline: Deadline): Promise<Reply>
  /** Sends several commands in as few round trips as the backend allows; error replies come back in place. */
  sendBatch(commands: readonly Command<unknown>[], deadline: Deadline): Promise<(Reply | ServerReplyError)[]>
  /**
   * Runs a script by the backend's own means (the memory backend runs its TypeScript twin). Absent,
   * the client sends EVALSHA over `send`, with EVAL on a NOSCRIPT reply (see `runScriptOver`).
   */
  runScript?(script: Script<unknown>, keys: readonly string[], args: readonly Arg[], deadline: Deadline): Promise<Reply>
  scan(match: string, count: number, guard: Guard): AsyncIterable<string[]>
  close(): Promise<void>
}
