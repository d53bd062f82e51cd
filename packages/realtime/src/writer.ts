import type { ServerResponse } from 'node:http'
import { HEARTBEAT } from './frames.js'
import { type StreamOutput, streamOutput } from './stream-output.js'
import { WireFrame } from './wire-frame.js'

export interface BacklogLimits {
  maxBytes: number
  maxEvents: number
}

const heartbeat = new WireFrame(HEARTBEAT)

/**
 * Writes one stream's frames with backpressure: once a write returns false nothing more is written
 * until `drain`; frames wait in a backlog bounded in bytes and events, and a client that passes
 * either bound is handed to `onOverflow` (which ends its stream).
 */
export class SseWriter {
  readonly #res: ServerResponse
  readonly #output: StreamOutput
  readonly #limits: BacklogLimits
  readonly #onOverflow: () => void
  #blocked = false
  #ended = false
  #pending: WireFrame[] = []
  #pendingBytes = 0
  #pendingEvents = 0

  /** `res` has its headers sent. */
  constructor(res: ServerResponse, limits: BacklogLimits, onOverflow: () => void) {
    this.#res = res
    this.#output = streamOutput(res)
    this.#limits = limits
    this.#onOverflow = onOverflow
  }

  /** Bytes and events waiting for the client (0 while it keeps up). */
  get backlog(): { bytes: number; events: number } {
    return { bytes: this.#pendingBytes, events: this.#pendingEvents }
  }

  /** An event: counted against the backlog's event bound. */
  event(frame: WireFrame | string): void {
    this.#write(typeof frame === 'string' ? new WireFrame(frame) : frame, true)
  }

  /** Anything else (position, retry). */
  control(frame: string): void {
    this.#write(new WireFrame(frame), false)
  }

  /** A comment line, skipped while the client is behind (it has data coming anyway). */
  heartbeat(): void {
    if (!this.#blocked) this.#write(heartbeat, false)
  }

  /** Drops the backlog and ends the response with `last` (written even to a client that is behind). */
  end(last?: string): void {
    if (this.#ended) return
    this.#ended = true
    this.#clear()
    this.#output.offDrain(this.#drain)
    if (this.#res.writableEnded || this.#res.destroyed) return
    if (last !== undefined) this.#res.end(last)
    else this.#res.end()
  }

  #write(frame: WireFrame, isEvent: boolean): void {
    if (this.#ended) return
    if (this.#blocked) {
      this.#pending.push(frame)
      this.#pendingBytes += frame.bytes.length
      if (isEvent) this.#pendingEvents += 1
      if (this.#pendingBytes > this.#limits.maxBytes || this.#pendingEvents > this.#limits.maxEvents) this.#onOverflow()
      return
    }
    if (!this.#output.write(frame)) this.#wait()
  }

  #wait(): void {
    this.#blocked = true
    this.#output.onDrain(this.#drain)
  }

  readonly #drain = (): void => {
    this.#blocked = false
    if (this.#pending.length === 0 || this.#ended) return
    const frames = this.#pending
    this.#clear()
    if (!this.#output.writeAll(frames)) this.#wait()
  }

  #clear(): void {
    this.#pending = []
    this.#pendingBytes = 0
    this.#pendingEvents = 0
  }
}
