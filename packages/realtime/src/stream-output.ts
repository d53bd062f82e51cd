import { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { WireFrame } from './wire-frame.js'

/** Where one stream's frames go once its headers are sent. */
export interface StreamOutput {
  /** Writes a frame; false when the client is behind (wait for `onDrain`). */
  write(frame: WireFrame): boolean
  /** Writes frames in order, as `write` does. */
  writeAll(frames: readonly WireFrame[]): boolean
  onDrain(listener: () => void): void
  offDrain(listener: () => void): void
}

/** `compression` adds `flush()`: without it, gzip would hold SSE frames back. */
type Flushable = ServerResponse & { flush?: () => void }

/** Through `res.write()`, and whatever middleware wrapped it (e.g. `compression`, flushed after each write). */
function responseOutput(res: Flushable): StreamOutput {
  return {
    write(frame) {
      const accepted = res.write(frame.text)
      res.flush?.()
      return accepted
    },
    writeAll(frames) {
      const accepted = res.write(frames.map((frame) => frame.text).join(''))
      res.flush?.()
      return accepted
    },
    onDrain: (listener) => res.once('drain', listener),
    offDrain: (listener) => res.removeListener('drain', listener),
  }
}

/** Pre-framed HTTP/1.1 chunks straight to the connection: one socket write per frame. */
function chunkOutput(socket: Socket): StreamOutput {
  return {
    write: (frame) => socket.write(frame.chunk),
    writeAll(frames) {
      socket.cork()
      let accepted = true
      for (const frame of frames) accepted = socket.write(frame.chunk)
      socket.uncork()
      return accepted
    },
    onDrain: (listener) => socket.once('drain', listener),
    offDrain: (listener) => socket.removeListener('drain', listener),
  }
}

/**
 * The output of a stream whose headers were just flushed. Writing each frame through
 * `res.write()` costs far more than the socket write itself once a process holds hundreds of
 * streams: Express gives every response its own hidden class (it swaps the prototype), so the
 * property reads inside Node's `write()` stop hitting V8's inline caches. Where the response adds
 * nothing to the bytes (a chunked HTTP/1.1 body, the connection is this response's, `write` is
 * Node's own), frames go to the socket as chunks encoded once per event; anything else (a
 * `compression` wrapper, HTTP/1.0, HTTP/2, a pipelined response waiting for its turn) keeps
 * `res.write()`. `res.end()` still ends the body.
 */
export function streamOutput(res: ServerResponse): StreamOutput {
  const socket = res.socket
  const direct =
    socket !== null &&
    res.headersSent &&
    res.chunkedEncoding === true &&
    res.write === ServerResponse.prototype.write &&
    !socket.destroyed
  return direct ? chunkOutput(socket) : responseOutput(res)
}
