import type { IncomingMessage, ServerResponse } from 'node:http'

/** Reads the whole request body, or reports `too-large` (and discards the rest) past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.resolve('too-large')
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
        resolve('too-large')
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks))
    })
    req.on('error', reject)
  })
}

/** Writes a JSON body (already serialised); HEAD requests get the headers only. */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const payload = Buffer.from(body, 'utf8')
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': payload.length,
  })
  res.end(req.method === 'HEAD' ? undefined : payload)
}
