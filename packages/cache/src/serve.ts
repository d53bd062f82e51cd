import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import type { Request, Response } from 'express'
import type { Entry } from './envelope.js'

function accepts(req: Request, coding: string): boolean {
  const header = req.headers['accept-encoding']
  if (typeof header !== 'string') return false
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    if (q !== undefined && Number(q.slice(2)) === 0) continue
    if (name === coding || name === '*') return true
  }
  return false
}

function decode(coding: string, body: Buffer): Buffer | undefined {
  try {
    if (coding === 'gzip' || coding === 'x-gzip') return gunzipSync(body)
    if (coding === 'deflate') return inflateSync(body)
    if (coding === 'br') return brotliDecompressSync(body)
  } catch {
    return undefined
  }
  return undefined
}

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

export interface ServeInfo {
  xCache: 'HIT' | 'STALE'
  cacheStatus: string
  now: number
  cacheControl: string | undefined
}

/** Sends a stored response: its status, headers and bytes, or a 304, or only headers for HEAD. */
export function serveEntry(req: Request, res: Response, entry: Entry, info: ServeInfo): void {
  res.statusCode = entry.status
  for (const [name, value] of entry.headers) res.setHeader(name, value)
  res.setHeader('ETag', entry.etag)
  res.setHeader('Age', String(Math.max(0, Math.floor((info.now - entry.storedAt) / 1000))))
  res.setHeader('X-Cache', info.xCache)
  res.setHeader('Cache-Status', info.cacheStatus)
  if (info.cacheControl !== undefined) res.setHeader('Cache-Control', info.cacheControl)
  if (notModified(req, entry)) {
    res.statusCode = 304
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language']) res.removeHeader(name)
    res.end()
    return
  }
  let body = entry.body
  const coding = entry.headers.find(([name]) => name === 'content-encoding')?.[1]
  if (typeof coding === 'string' && coding !== 'identity' && !accepts(req, coding)) {
    const decoded = decode(coding.toLowerCase(), body)
    if (decoded !== undefined) {
      body = decoded
      res.removeHeader('Content-Encoding')
    }
  }
  if (entry.status === 204 || entry.status === 304) {
    res.end()
    return
  }
  res.setHeader('Content-Length', String(body.length))
  if (req.method === 'HEAD') res.end()
  else res.end(body)
}
