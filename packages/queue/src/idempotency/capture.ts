import type { ServerResponse } from 'node:http'

/** A response as stored and replayed. */
export interface StoredResponse {
  status: number
  headers: Record<string, string | string[]>
  /** The body, base64 ('' when it was too large to keep). */
  body: string
  /** The body was larger than `maxBodySize`: a replay answers the status and headers only. */
  truncated?: boolean
}

/** Headers never stored: per-connection, per-response or per-user (a replayed cookie would log someone in). */
const notReplayed = new Set([
  'set-cookie',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'idempotent-replayed',
])

/**
 * Records what the handler sends: status, headers and body as they are when it calls `res.end`
 * (whether or not the client is still there), and holds the end of the response until `store`
 * settles, so a client that has the answer finds it stored. A body past `maxBytes` is dropped
 * (`truncated`).
 */
export function captureResponse(
  res: ServerResponse,
  maxBytes: number,
  store: (response: StoredResponse) => Promise<unknown>,
): void {
  const chunks: Buffer[] = []
  let size = 0
  let overflow = false
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || overflow) return
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : chunk instanceof Uint8Array
        ? Buffer.from(chunk)
        : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    size += buffer.length
    if (size > maxBytes) overflow = true
    else chunks.push(buffer)
  }
  const write = res.write
  const end = res.end
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0])
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as ServerResponse['write']
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk, rest[0])
    res.write = write
    res.end = end
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(res.getHeaders())) {
      if (value === undefined || notReplayed.has(name) || (overflow && name.startsWith('content-'))) continue
      headers[name] = Array.isArray(value) ? value.map(String) : String(value)
    }
    const response = overflow
      ? { status: res.statusCode, headers, body: '', truncated: true }
      : { status: res.statusCode, headers, body: Buffer.concat(chunks).toString('base64') }
    const finish = () => (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest)
    store(response).then(finish, finish)
    return this
  } as ServerResponse['end']
}

export function replay(res: ServerResponse, response: StoredResponse): void {
  const body = Buffer.from(response.body, 'base64')
  res.statusCode = response.status
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
  res.setHeader('Idempotent-Replayed', 'true')
  res.setHeader('Content-Length', body.length)
  res.end(body)
}
