import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/** What a request may do: everything, or read commands only. */
export type Access = 'read-write' | 'read-only'

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function same(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b)
}

/** Checks `Authorization: Bearer <token>` first, then the `_token` query parameter. */
export class Authenticator {
  private readonly token: Buffer
  private readonly readonlyToken: Buffer | undefined

  constructor(token: string, readonlyToken: string | undefined) {
    this.token = digest(token)
    this.readonlyToken = readonlyToken === undefined ? undefined : digest(readonlyToken)
  }

  /** The access a request's credentials grant, or `undefined` when they are missing or wrong. */
  check(headers: IncomingHttpHeaders, query: URLSearchParams): Access | undefined {
    const presented = presentedToken(headers, query)
    if (presented === undefined) return undefined
    const given = digest(presented)
    if (same(given, this.token)) return 'read-write'
    if (this.readonlyToken !== undefined && same(given, this.readonlyToken)) return 'read-only'
    return undefined
  }
}

function presentedToken(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers.authorization
  if (typeof header === 'string') {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header)
    if (match?.[1] !== undefined) return match[1]
  }
  const fromQuery = query.get('_token')
  return fromQuery === null || fromQuery === '' ? undefined : fromQuery
}
