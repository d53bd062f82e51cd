import type { TLSSocket } from 'node:tls'
import type { Request } from 'express'
import type { NamePattern } from './name-pattern.js'

/** What made a request credentialed, as a `Cache-Status` detail. */
export type Credential = 'cookie' | 'authorization' | 'client-certificate'

export interface CredentialRule {
  /** Credentials folded into the key by `vary` (each value gets its own entries). */
  keyed: { cookie: boolean; authorization: boolean }
  /** Cookie names that identify nobody. */
  ignoreCookies: NamePattern | undefined
}

/** True when every cookie of the header is one that identifies nobody. */
function onlyIgnoredCookies(header: string, ignore: NamePattern): boolean {
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=')
    const name = (equals === -1 ? pair : pair.slice(0, equals)).trim()
    if (name !== '' && !ignore.matches(name)) return false
  }
  return true
}

function hasClientCertificate(socket: TLSSocket): boolean {
  try {
    return socket.getPeerCertificate()?.raw !== undefined
  } catch {
    return false
  }
}

/**
 * The credential this request carries that is not part of the key, or undefined (the Fetch standard's
 * credentials: cookies, HTTP authentication, TLS client certificates). Whatever an app resolves from
 * them before the cache (express-jwt's `req.auth`, passport's user, `res.locals.user`) is invisible to
 * the cache, so such a request must neither be served a shared entry nor fill one: Varnish's built-in
 * rule for Cookie and Authorization, and RFC 9111 §3.5 for Authorization.
 */
export function credentialOf(req: Request, rule: CredentialRule): Credential | undefined {
  const headers = req.headers
  if (!rule.keyed.authorization && headers.authorization !== undefined && headers.authorization !== '')
    return 'authorization'
  const cookie = headers.cookie
  if (
    !rule.keyed.cookie &&
    cookie !== undefined &&
    cookie !== '' &&
    (rule.ignoreCookies === undefined || !onlyIgnoredCookies(cookie, rule.ignoreCookies))
  ) {
    return 'cookie'
  }
  const socket = req.socket as TLSSocket | undefined
  if (socket?.encrypted === true && hasClientCertificate(socket)) return 'client-certificate'
  return undefined
}
