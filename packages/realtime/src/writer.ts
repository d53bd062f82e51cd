import type { ServerResponse } from 'node:http'
import { HEARTBEAT } from './frames.js'

export interface BacklogLimits {
  maxBytes: number
  maxEvents: number
}

/** `compression` adds `flush()`: without it, gzip would hold SSE frames back. */
type Flushable = ServerResponse & { flush?: () => void }

/**
 * Writes one stream's frames with backpressure: once `res.write()` returns false nothing more is
 * written until `drain`; frames wait in a backlog bounded in bytes and events, and a client that
 * passes either bound is handed to `onOverflow` (which ends its stream). Every write is flushed
 * through `compression` when it is mounted.
 */
export class SseWriter {
  readonly #res: Flushable
  readonly #limits: BacklogLimits
  readonly #onOverflow: () => void
  #blocked = false
  #ended = false
  #pending: string[] = []
  #pendingBytes = 0
  #pendingEvents = 0

  constructor(res: ServerResponse, limits: BacklogLimits, onOverflow: () => void) {
    this.#res = res
    this.#limits = limits
    this.#onOverflow = onOverflow
  }

  /** Bytes and events waiting for the client (0 while it keeps up). */
  get backlog(): { bytes: number; events: number } {
    return { bytes: this.#pendingBytes, events: this.#pendingEvents }
  }

  /** An event: counted against the backlog's event bound. */
  event(frame: string): void {
    this.#write(frame, true)
  }

  /** Anything else (position, retry). */
  control(frame: string): void {
    this.#write(frame, false)
  }

  /** A comment line, skipped while the client is behind (it has data coming anyway). */
  heartbeat(): void {
    if (!this.#blocked) this.#write(HEARTBEAT, false)
  }

  /** Drops the backlog and ends the response with `last` (written even to a client that is behind). */
  end(last?: string): void {
    if (this.#ended) return
    this.#ended = true
    this.#clear()
    this.#res.removeListener('drain', this.#drain)
    if (this.#res.writableEnded || this.#res.destroyed) return
    if (last !== undefined) this.#res.end(last)
    else this.#res.end()
  }

  #write(chunk: string, isEvent: boolean): void {
    if (this.#ended) return
    if (this.#blocked) {
      this.#pending.push(chunk)
      this.#pendingBytes += Buffer.byteLength(chunk)
      if (isEvent) this.#pendingEvents += 1
      if (this.#pendingBytes > this.#limits.maxBytes || this.#pendingEvents > this.#limits.maxEvents) this.#onOverflow()
      return
    }
    const accepted = this.#res.write(chunk)
    this.#res.flush?.()
    if (!accepted) {
      this.#blocked = true
      this.#res.once('drain', this.#drain)
    }
  }

  readonly #drain = (): void => {
    this.#blocked = false
    if (this.#pending.length === 0 || this.#ended) return
    const chunk = this.#pending.join('')
    this.#clear()
    this.#write(chunk, false)
  }

  #clear(): void {
    this.#pending = []
    this.#pendingBytes = 0
    this.#pendingEvents = 0
  }
}
