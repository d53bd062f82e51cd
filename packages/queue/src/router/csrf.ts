import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { readCookie } from './http.js'

export const CSRF_COOKIE = 'rediware_queue_csrf'
export const CSRF_HEADER = 'x-csrf-token'

/** The page's token: the one in its cookie if the browser has one, else a new one to set. */
export function pageToken(req: IncomingMessage, path: string): { token: string; cookie?: string } {
  const existing = readCookie(req, CSRF_COOKIE)
  if (existing && /^[A-Za-z0-9_-]{32}$/.test(existing)) return { token: existing }
  const token = randomBytes(24).toString('base64url')
  return { token, cookie: `${CSRF_COOKIE}=${token}; Path=${path || '/'}; HttpOnly; SameSite=Strict` }
}

function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false
  const origin = req.headers.origin
  if (origin === undefined) return true
  try {
    return new URL(origin).host === req.headers.host
  } catch {
    return false
  }
}

/**
 * A state-changing request is accepted only from the dashboard itself: same origin (Origin and
 * Sec-Fetch-Site when the browser sends them) and a token header equal to the token cookie (double
 * submit). A cross-site form or fetch can set neither the header nor our cookie's value.
 */
export function csrfAllowed(req: IncomingMessage): boolean {
  if (!sameOrigin(req)) return false
  const cookie = readCookie(req, CSRF_COOKIE)
  const header = req.headers[CSRF_HEADER]
  if (!cookie || typeof header !== 'string' || cookie.length !== header.length) return false
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(header))
}
