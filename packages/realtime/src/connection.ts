import type { ServerResponse } from 'node:http'
import { channelTag, encodeCursor } from './cursor.js'
import type { FollowerOptions } from './follower.js'
import { jittered, positionFrame, reconnectFrame, resetFrame, retryFrame } from './frames.js'
import type { History } from './history.js'
import type { Hub } from './hub.js'
import type { RealtimeKeys } from './keys.js'
import { Lane, type LaneOwner, type LaneStart } from './lane.js'
import type { LogEntry } from './log-entry.js'
import type { CloseReason, RealtimeActivity } from './options.js'
import { type BacklogLimits, SseWriter } from './writer.js'

export interface ConnectionContext {
  hub: Hub
  history: History
  keys: RealtimeKeys
  follower: FollowerOptions
  backlog: BacklogLimits
  /** Base `retry:` in ms (jittered per stream). */
  retry: number
  event(activity: RealtimeActivity): void
  failed(error: unknown): void
  closed(connection: SseConnection): void
}

/** How long a stream we ended may take to flush its last frame to a client that does not read. */
const END_GRACE_MS = 5000

/**
 * One browser's stream: a lane per channel, one writer with a bounded backlog, and a cursor (its
 * position in every channel) sent as each event's `id:`. Closing it (client gone, too far behind,
 * shutdown) detaches every lane at once.
 */
export class SseConnection implements LaneOwner {
  readonly #res: ServerResponse
  readonly #context: ConnectionContext
  readonly #writer: SseWriter
  readonly #lanes: Lane[]
  #closed = false

  constructor(res: ServerResponse, channels: readonly string[], context: ConnectionContext) {
    this.#res = res
    this.#context = context
    this.#writer = new SseWriter(res, context.backlog, () => this.close('backlog'))
    this.#lanes = channels.map(
      (channel) => new Lane(channel, channelTag(channel), this, context.history, context.keys, context.follower),
    )
  }

  get channels(): readonly string[] {
    return this.#lanes.map((lane) => lane.channel)
  }

  get tags(): readonly string[] {
    return this.#lanes.map((lane) => lane.tag)
  }

  /** Starts every lane: from the Last-Event-ID positions (`resume`), or live when there is none. */
  start(resume: ReadonlyMap<string, string> | undefined): void {
    this.#writer.control(retryFrame(jittered(this.#context.retry)))
    for (const lane of this.#lanes) {
      const position = resume?.get(lane.tag)
      const start: LaneStart = position !== undefined ? { resume: position } : resume ? { reset: true } : { live: true }
      lane.attach(this.#context.hub, start)
    }
    this.#context.event({ type: 'open', channels: this.channels, resumed: resume !== undefined })
  }

  heartbeat(): void {
    if (!this.#closed) this.#writer.heartbeat()
  }

  /** Ends the stream; for `backlog` and `shutdown` the client is told to reconnect (and resume). */
  close(reason: CloseReason): void {
    if (this.#closed) return
    this.#closed = true
    for (const lane of this.#lanes) lane.detach(this.#context.hub)
    this.#context.closed(this)
    this.#context.event({ type: 'close', channels: this.channels, reason })
    if (reason === 'client') {
      this.#writer.end()
      return
    }
    this.#writer.end(reconnectFrame(jittered(this.#context.retry), reason))
    // A client that never reads would keep its socket (and what is buffered for it) forever.
    const timer = setTimeout(() => this.#res.destroy(), END_GRACE_MS)
    timer.unref()
    this.#res.once('close', () => clearTimeout(timer))
  }

  #cursor(): string {
    return encodeCursor(this.#lanes)
  }

  event(_lane: Lane, entry: LogEntry): void {
    if (this.#closed) return
    this.#writer.event(this.#lanes.length === 1 ? entry.frame : `id: ${this.#cursor()}\n${entry.body}`)
  }

  reset(lane: Lane): void {
    if (this.#closed) return
    this.#writer.event(resetFrame(this.#cursor(), lane.channel))
    this.#context.event({ type: 'reset', channel: lane.channel })
  }

  positioned(): void {
    if (!this.#closed) this.#writer.control(positionFrame(this.#cursor()))
  }

  failed(error: unknown): void {
    this.#context.failed(error)
  }

  overflow(): void {
    this.close('backlog')
  }
}
