import { randomBytes } from 'node:crypto'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { Request } from 'express'
import type { Entry } from './envelope.js'
import type { RequestContext, Route } from './route.js'

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
 * Credentials that are not part of the key (`drop`: Cookie, Authorization, unless the route is
 * scoped per user or varies on them) are not forwarded: a shared entry must be rendered for nobody
 * in particular.
 */
function dispatchRefresh(req: Request, drop: ReadonlySet<string>): boolean {
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
    if (value === undefined || dropped.has(name) || drop.has(name)) continue
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

/**
 * One refresh per stale entry across instances: a short NX lock (per entry and its `storedAt`, left to
 * expire: a request that read the old entry just before the refresh stored the new one cannot start a
 * second refresh, and the next staleness of the new entry has its own lock), then a background
 * request through the app.
 */
export function refreshInBackground(route: Route, req: Request, context: RequestContext, stale: Entry): void {
  const { core, options } = route
  const token = randomBytes(8).toString('hex')
  core.client
    .set(core.keys.refreshKey(context.hash, stale.storedAt), token, {
      nx: true,
      px: Math.max(options.lockTimeout, 1000),
      ...core.callOptions,
    })
    .then((acquired) => {
      if (acquired && dispatchRefresh(req, route.refreshDrops)) core.emit({ type: 'refresh', path: context.path })
    })
    .catch(core.failed)
}
