import { promisify } from 'node:util'
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib'
import type { Request, Response } from 'express'
import type { Entry } from './envelope.js'

type Decoder = (body: Buffer, options: ZlibOptions) => Promise<Buffer>

const decoders: Readonly<Record<string, Decoder>> = {
  gzip: promisify(gunzip) as Decoder,
  'x-gzip': promisify(gunzip) as Decoder,
  deflate: promisify(inflate) as Decoder,
  br: promisify(brotliDecompress) as Decoder,
}

/** Why a stored body could not be decoded for the client (a `Cache-Status` detail). */
export type DecodeFailure = 'decoded-too-big' | 'decode-error'

const stripWeak = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag)

/** RFC 9110 §13.1: If-None-Match (weak comparison, lists, `*`), else If-Modified-Since. */
export function notModified(req: Request, entry: Entry): boolean {
  if (entry.status !== 200) return false
  const inm = req.headers['if-none-match']
  if (typeof inm === 'string' && inm.length > 0) {
    if (inm.trim() === '*') return true
    const target = stripWeak(entry.etag)
    return inm.split(',').some((tag) => stripWeak(tag.trim()) === target)
  }
  const ims = req.headers['if-modified-since']
  if (typeof ims === 'string') {
    const lastModified = entry.headers.find(([name]) => name === 'last-modified')?.[1]
    const since = Date.parse(ims)
    const modified = typeof lastModified === 'string' ? Date.parse(lastModified) : Number.NaN
    return Number.isFinite(since) && Number.isFinite(modified) && modified <= since
  }
  return false
}

/**
 * The content coding of a stored body that this client does not accept (negotiated as Express does,
 * `req.acceptsEncodings`: `gzip;q=0, *` refuses gzip), or undefined when the stored bytes can be sent.
 */
export function codingToDecode(req: Request, entry: Entry): string | undefined {
  if (entry.status === 204 || entry.status === 304 || notModified(req, entry)) return undefined
  const coding = entry.headers.find(([name]) => name === 'content-encoding')?.[1]
  if (typeof coding !== 'string') return undefined
  const lower = coding.trim().toLowerCase()
  if (lower === '' || lower === 'identity' || decoders[lower] === undefined) return undefined
  return req.acceptsEncodings(lower) === false ? lower : undefined
}

/**
 * Decodes a stored body off the event loop (zlib's thread pool), never past `limit` bytes: a small
 * entry must not turn into a large allocation per hit (a decompression bomb).
 */
export async function decodeBody(coding: string, body: Buffer, limit: number): Promise<Buffer | DecodeFailure> {
  const decode = decoders[coding]
  if (decode === undefined) return 'decode-error'
  try {
    return await decode(body, { maxOutputLength: limit })
  } catch (error) {
    return (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' ? 'decoded-too-big' : 'decode-error'
  }
}

/**
 * Sends a stored response: its status, headers and bytes (`body`: the stored bytes, or the decoded
 * ones for a client that does not accept the stored coding), or a 304, or only headers for HEAD.
 */
export function sendEntry(req: Request, res: Response, entry: Entry, body: Buffer, now: number): void {
  res.statusCode = entry.status
  for (const [name, value] of entry.headers) res.setHeader(name, value)
  if (body !== entry.body) res.removeHeader('Content-Encoding')
  res.setHeader('ETag', entry.etag)
  res.setHeader('Age', String(Math.max(0, Math.floor((now - entry.storedAt) / 1000))))
  if (notModified(req, entry)) {
    res.statusCode = 304
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language'])
      res.removeHeader(name)
    res.end()
    return
  }
  if (entry.status === 204 || entry.status === 304) {
    res.end()
    return
  }
  res.setHeader('Content-Length', String(body.length))
  if (req.method === 'HEAD') res.end()
  else res.end(body)
}
