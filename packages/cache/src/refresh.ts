import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { Request } from 'express'

/** Marks a synthetic request made to refresh a stale entry in the background. */
export const refreshMark = Symbol('rediware.cache.refresh')

const dropped = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'range', 'if-range'])

interface Dispatching {
  handle?: (req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void) => void
  /** Set by Express on a sub-app mounted with `app.use(path, subApp)`. */
  parent?: Dispatching
}

/**
 * Runs the request again through the app, with a response that goes nowhere, so the cache
 * middleware can capture and store a fresh entry while the client already got the stale one.
 * Credentials (Cookie, Authorization) are not forwarded unless the route is scoped per user: a
 * shared entry must be rendered for nobody in particular.
 */
export function dispatchRefresh(req: Request, keepCredentials: boolean): boolean {
  let app = req.app as unknown as Dispatching | undefined
  // `originalUrl` is relative to the top-level app, so dispatch from there (sub-apps have a `parent`)
  while (app?.parent !== undefined && typeof app.parent.handle === 'function') app = app.parent
  if (app === undefined || typeof app.handle !== 'function') return false
  const socket = new Socket()
  Object.defineProperty(socket, 'remoteAddress', { value: req.socket?.remoteAddress, configurable: true })
  const fake = new IncomingMessage(socket)
  fake.method = 'GET'
  fake.url = req.originalUrl
  fake.httpVersionMajor = 1
  fake.httpVersionMinor = 1
  fake.httpVersion = '1.1'
  const headers: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || dropped.has(name)) continue
    if (!keepCredentials && (name === 'cookie' || name === 'authorization')) continue
    headers[name] = value
  }
  fake.headers = headers
  ;(fake as unknown as Record<symbol, boolean>)[refreshMark] = true
  fake.push(null)
  const res = new ServerResponse(fake)
  try {
    app.handle(fake, res, () => undefined)
  } catch {
    return false
  }
  return true
}

export const isRefresh = (req: Request): boolean => (req as unknown as Record<symbol, unknown>)[refreshMark] === true
