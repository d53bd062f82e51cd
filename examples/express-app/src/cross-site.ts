import type { Request, RequestHandler } from 'express'

/**
 * CSRF protection for every state-changing request (anything but GET, HEAD and OPTIONS), from what
 * the browser itself says about where the request comes from:
 *
 * 1. an `Origin` listed in `trustedOrigins` passes;
 * 2. `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser): `same-origin` and `none` (the
 *    user's own action, e.g. a bookmark) pass; `same-site` and `cross-site` are refused;
 * 3. no `Sec-Fetch-Site` but an `Origin` (older browsers): it must name this host (`Host`, or
 *    `X-Forwarded-Host` behind a trusted proxy); `Origin: null` is refused;
 * 4. neither header: the request did not come from a browser page (curl, supertest, server-to-server;
 *    browsers have sent `Origin` with cross-origin POST, PUT, PATCH and DELETE for years). It passes,
 *    unless its Content-Type is one an HTML form can send without a CORS preflight
 *    (`application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`): that is the shape of a
 *    forged form post from a browser too old to say where it comes from.
 *
 * The app answers no CORS preflight, so a cross-origin page cannot send JSON or custom headers either.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'])

export interface CrossSiteOptions {
  /** Origins (`https://app.example.com`) of other sites allowed to send state-changing requests. */
  trustedOrigins?: readonly string[]
}

function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin)
    return url.origin === 'null' ? undefined : url.host
  } catch {
    return undefined
  }
}

/** Why the request is refused, or undefined when it may proceed. */
export function crossSiteVerdict(req: Request, trusted: ReadonlySet<string>): string | undefined {
  if (SAFE_METHODS.has(req.method)) return undefined
  const origin = req.get('origin')
  if (origin !== undefined && trusted.has(origin)) return undefined
  const site = req.get('sec-fetch-site')
  if (site !== undefined) {
    return site === 'same-origin' || site === 'none'
      ? undefined
      : `the browser says it comes from another site (Sec-Fetch-Site: ${site.slice(0, 20)})`
  }
  if (origin !== undefined) {
    const host = originHost(origin)
    return host !== undefined && host === req.host ? undefined : 'its Origin is not this site'
  }
  const type = (req.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  return FORM_TYPES.has(type)
    ? `a ${type} body without Origin or Sec-Fetch-Site is what a forged form post looks like; send JSON`
    : undefined
}

/** One middleware for the whole app: 403 `{ error }` for a cross-site state-changing request. */
export function rejectCrossSite(options: CrossSiteOptions = {}): RequestHandler {
  const trusted = new Set(options.trustedOrigins ?? [])
  return (req, res, next) => {
    const reason = crossSiteVerdict(req, trusted)
    if (reason === undefined) {
      next()
      return
    }
    res.status(403).json({ error: `cross-site request refused: ${reason}` })
  }
}
