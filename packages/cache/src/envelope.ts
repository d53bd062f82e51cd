/**
 * One cached response, stored as ONE Redis string: a JSON envelope whose body is base64, so every
 * backend (Upstash's JSON REST protocol included) stores and returns identical, binary-safe data.
 */
export interface Entry {
  status: number
  /** End-to-end headers, names lowercased, multi-valued headers kept as arrays. */
  headers: [string, string | string[]][]
  body: Buffer
  etag: string
  /** Origin clock, Unix ms. */
  storedAt: number
  freshUntil: number
  staleUntil: number
  errorUntil: number
  /** Tag → version read before the handler ran. */
  tags: Record<string, string>
  /**
   * Set when the handler read the Host, X-Forwarded-Host or Forwarded header: the authority the page
   * was rendered for (see `authorityOf`). Served only to requests with the same.
   */
  authority?: string
}

interface Wire {
  v: 1
  s: number
  h: [string, string | string[]][]
  b: string
  e: string
  t: number
  f: number
  w: number
  i: number
  g: Record<string, string>
  a?: string
}

export function encodeEntry(entry: Entry): string {
  const wire: Wire = {
    v: 1,
    s: entry.status,
    h: entry.headers,
    b: entry.body.toString('base64'),
    e: entry.etag,
    t: entry.storedAt,
    f: entry.freshUntil,
    w: entry.staleUntil,
    i: entry.errorUntil,
    g: entry.tags,
  }
  if (entry.authority !== undefined) wire.a = entry.authority
  return JSON.stringify(wire)
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/** Parses an envelope; anything malformed (garbage, an older format) reads as a miss. */
export function decodeEntry(text: string | null): Entry | undefined {
  if (text === null) return undefined
  let wire: unknown
  try {
    wire = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof wire !== 'object' || wire === null) return undefined
  const w = wire as Partial<Record<keyof Wire, unknown>>
  if (w.v !== 1 || !isNumber(w.s) || !Array.isArray(w.h) || typeof w.b !== 'string' || typeof w.e !== 'string')
    return undefined
  if (!isNumber(w.t) || !isNumber(w.f) || !isNumber(w.w) || !isNumber(w.i)) return undefined
  if (typeof w.g !== 'object' || w.g === null) return undefined
  if (w.a !== undefined && typeof w.a !== 'string') return undefined
  const entry: Entry = {
    status: w.s,
    headers: w.h as Entry['headers'],
    body: Buffer.from(w.b, 'base64'),
    etag: w.e,
    storedAt: w.t,
    freshUntil: w.f,
    staleUntil: w.w,
    errorUntil: w.i,
    tags: w.g as Record<string, string>,
    authority: w.a as string | undefined,
  }
  return entry
}
