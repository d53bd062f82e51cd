import type { StreamEntry } from '@rediware/redis'
import { ORIGIN } from './event-id.js'
import { WireFrame } from './wire-frame.js'

/**
 * One event of a channel's log, as read from the stream or received on the channel's pub/sub
 * wake-up: its id, the id of the event before it (so a reader can tell a gap from a neighbour), its
 * type and its data as JSON text. The SSE frame and the parsed data are built once, on first use,
 * and shared by every client and listener of this process.
 */
export class LogEntry {
  readonly id: string
  readonly prev: string
  readonly type: string
  readonly data: string
  #body: string | undefined
  #frame: WireFrame | undefined
  #parsed: { value: unknown } | undefined

  constructor(id: string, prev: string, type: string, data: string) {
    this.id = id
    this.prev = prev
    this.type = type
    this.data = data
  }

  /** `event:` and `data:` lines and the blank line that ends the event. */
  get body(): string {
    this.#body ??= `event: ${this.type}\ndata: ${this.data}\n\n`
    return this.#body
  }

  /** The whole frame for a client of one channel, whose cursor is this id. */
  get frame(): WireFrame {
    this.#frame ??= new WireFrame(`id: ${this.id}\n${this.body}`)
    return this.#frame
  }

  /** The data, parsed once (shared by the listeners of this process: do not mutate it). */
  parsed(): unknown {
    this.#parsed ??= { value: JSON.parse(this.data) }
    return this.#parsed.value
  }

  /** The pub/sub message the append script publishes: `id \t prev \t type \t data`. */
  static fromMessage(message: string): LogEntry | undefined {
    const first = message.indexOf('\t')
    const second = message.indexOf('\t', first + 1)
    const third = message.indexOf('\t', second + 1)
    if (first === -1 || second === -1 || third === -1) return undefined
    return new LogEntry(
      message.slice(0, first),
      message.slice(first + 1, second),
      message.slice(second + 1, third),
      message.slice(third + 1),
    )
  }

  /** A stream entry written by the append script (fields `p`, `t`, `d`). */
  static fromStream(entry: StreamEntry): LogEntry {
    const { p = ORIGIN, t = 'message', d = 'null' } = entry.fields
    return new LogEntry(entry.id, p, t, d)
  }
}
