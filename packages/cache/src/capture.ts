import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

export interface Captured {
  status: number
  headers: OutgoingHttpHeaders
  /** The full body, or undefined when it grew past `maxBodySize`. */
  body: Buffer | undefined
}

export interface CaptureControl {
  maxBodySize: number
  /**
   * Called once, before the first header or byte leaves this layer, with the status and a copy of the
   * headers the handler set. Return a function to send something else instead (stale-if-error): the
   * handler's output is then discarded.
   */
  head(status: number, headers: OutgoingHttpHeaders): ((res: ServerResponse) => void) | undefined
  /** The handler called `end()` (not called for a replaced response). */
  end(captured: Captured): void
  /**
   * Runs each call into the wrapped methods (layers outside the cache: compression, express-session's
   * header hook), e.g. so that their reads of the request are not taken for the handler's.
   */
  outer<T>(call: () => T): T
}

type Callback = (error?: Error | null) => void
type Chunk = string | Buffer | Uint8Array

function toBuffer(chunk: Chunk, encoding: unknown): Buffer {
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

/** Applies the headers argument of `writeHead` with `setHeader`, so `getHeaders()` sees them. */
function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (headers === undefined || headers === null || typeof headers !== 'object') return
  if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const pair of headers as [string, string][]) res.setHeader(pair[0], pair[1])
    } else {
      for (let index = 0; index + 1 < headers.length; index += 2)
        res.setHeader(String(headers[index]), String(headers[index + 1]))
    }
    return
  }
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value !== undefined) res.setHeader(name, value as string | number | readonly string[])
  }
}

/**
 * Records what the handler sends at the Node layer (`writeHead`/`write`/`end`), so `res.send`,
 * `res.json`, `res.end`, `write`+`end` and piped streams are all seen; chunks are kept in a list and
 * dropped once past `maxBodySize` (the response still streams to the client).
 */
export function captureResponse(res: ServerResponse, control: CaptureControl): void {
  const originalWriteHead = res.writeHead
  const originalWrite = res.write
  const originalEnd = res.end
  const chunks: Buffer[] = []
  let size = 0
  let tooBig = false
  let started = false
  let status = 200
  let headers: OutgoingHttpHeaders = {}
  let replace: ((res: ServerResponse) => void) | undefined

  const collect = (chunk: unknown, encoding: unknown): void => {
    if (tooBig || chunk === undefined || chunk === null || typeof chunk === 'function') return
    const buffer = toBuffer(chunk as Chunk, encoding)
    size += buffer.length
    if (size > control.maxBodySize) {
      tooBig = true
      chunks.length = 0
      return
    }
    chunks.push(buffer)
  }

  const start = (): void => {
    if (started) return
    started = true
    status = res.statusCode
    headers = { ...res.getHeaders() }
    try {
      replace = control.head(status, headers)
    } catch {
      // the cache must never break the response: without a decision, nothing is stored
      failed = true
    }
  }

  // after end() or while a replacement is sent, the wrappers only pass calls through (other
  // middleware, e.g. compression, may have wrapped ours, so the methods are never swapped back)
  let passThrough = false
  let failed = false

  const sendReplacement = (): void => {
    const send = replace
    if (send === undefined) return
    replace = undefined
    passThrough = true
    send(res)
  }

  const outer = control.outer

  res.writeHead = function writeHead(this: ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (passThrough)
      return outer(() => (originalWriteHead as (...args: unknown[]) => ServerResponse).call(this, statusCode, ...rest))
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined
    applyHeaders(this, reason === undefined ? rest[0] : rest[1])
    this.statusCode = statusCode
    if (reason !== undefined) this.statusMessage = reason
    start()
    if (replace !== undefined) return this
    return outer(() => originalWriteHead.call(this, statusCode))
  } as ServerResponse['writeHead']

  res.write = function write(this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (passThrough)
      return outer(() => (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, encoding, callback))
    start()
    if (replace !== undefined) {
      const done = typeof encoding === 'function' ? encoding : callback
      if (typeof done === 'function') process.nextTick(done as Callback)
      return true
    }
    collect(chunk, encoding)
    return outer(() => (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, encoding, callback))
  } as ServerResponse['write']

  res.end = function end(this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    if (passThrough)
      return outer(() => (originalEnd as (...args: unknown[]) => ServerResponse).call(this, chunk, encoding, callback))
    start()
    if (replace !== undefined) {
      sendReplacement()
      return this
    }
    if (typeof chunk !== 'function') collect(chunk, encoding)
    passThrough = true
    const result = outer(() =>
      (originalEnd as (...args: unknown[]) => ServerResponse).call(this, chunk, encoding, callback),
    )
    if (!failed) {
      try {
        control.end({ status, headers, body: tooBig ? undefined : Buffer.concat(chunks, size) })
      } catch {
        // as above: storing is best effort
      }
    }
    return result
  } as ServerResponse['end']
}
