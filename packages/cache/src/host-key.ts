import type { Request } from 'express'
import { headerValue } from './request-url.js'

/** Where the port starts in a Host value (`[::1]:8080` included), or -1. */
function portIndex(host: string): number {
  const offset = host.charCodeAt(0) === 91 /* [ */ ? host.indexOf(']') + 1 : 0
  return host.indexOf(':', offset)
}

/** The host name of a Host header value, lower case, without the port. */
export function hostName(host: string | undefined): string {
  if (host === undefined) return ''
  const index = portIndex(host)
  return (index === -1 ? host : host.slice(0, index)).toLowerCase()
}

/**
 * The authority a page was rendered for, recorded on entries whose handler read the Host,
 * X-Forwarded-Host or Forwarded header (a page that links to itself may carry the port): the Host
 * header's port and the forwarding headers as sent. The key holds the host name only, so a cached
 * route hits across ports (supertest's `request(app)` listens on a new port per request); a page
 * that read these headers is served only to requests that send the same.
 */
export function authorityOf(req: Request): string {
  const host = req.headers.host ?? ''
  const index = portIndex(host)
  return `${index === -1 ? '' : host.slice(index + 1)}|${headerValue(req, 'x-forwarded-host')}|${headerValue(req, 'forwarded')}`
}
