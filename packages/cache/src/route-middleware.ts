import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { collapsedHit, hit, localHit, staleHit, type Verdict } from './cache-status.js'
import { requestKey } from './cache-key.js'
import type { CacheCore } from './core.js'
import { credentialOf } from './credentials.js'
import type { Entry } from './envelope.js'
import { fill, type FillResult } from './fill.js'
import { takeFillLock } from './fill-lock.js'
import { join, type Versions } from './flights.js'
import { decodeFound } from './lookups.js'
import { isRefresh, refreshInBackground } from './refresh.js'
import { pathTag, splitUrl } from './request-url.js'
import type { ResolvedRouteOptions } from './resolve-options.js'
import { type RequestContext, Route } from './route.js'
import { invalidateOnEnd } from './write-invalidation.js'

/**
 * A request through `route()`:
 *
 *   method ── POST/PUT/PATCH/DELETE → handler (invalidates its path on success: invalidateOnWrite)
 *          └─ GET/HEAD → scope ── `bypass(req)`, no scope value, or credentials not in the key → handler
 *                               └─ [local tier holds a fresh entry → served (HIT; detail=local), no Redis]
 *                                  lookup (entry + tag versions, one MGET)
 *                                    ├─ fresh → served (HIT)
 *                                    ├─ stale within staleWhileRevalidate → served (STALE) + one background refresh
 *                                    ├─ backend failing → handler (BYPASS)
 *                                    └─ miss → HEAD: handler, never fills
 *                                             GET: a fill of this process runs → wait for it (collapsed)
 *                                                  none → lead: [distributed lock] → fill (handler, captured, stored)
 */
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A GET or HEAD the cache answers: what every step below works on. */
interface CachedRequest {
  readonly route: Route
  readonly req: Request
  readonly res: Response
  readonly next: NextFunction
  readonly context: RequestContext
}

/** What a miss knows: the tag versions its lookup read, and a stale entry to serve if the handler fails. */
interface Miss {
  readonly read: Versions
  readonly staleForError: Entry | undefined
}
const headMiss: Verdict = { xCache: 'MISS', fwd: 'uri-miss', detail: 'head' }

export function createRouteMiddleware(core: CacheCore, options: ResolvedRouteOptions): RequestHandler {
  const route = new Route(core, options)
  return function rediwareCache(req: Request, res: Response, next: NextFunction): void {
    let nextCalled = false
    const once: NextFunction = ((error?: unknown) => {
      if (nextCalled) return
      nextCalled = true
      next(error)
    }) as NextFunction
    try {
      if (writeMethods.has(req.method)) {
        if (options.invalidateOnWrite) invalidateOnEnd(core, req, res)
        once()
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        once()
        return
      }
      const context = scope(route, req, res, once)
      if (context === undefined) return
      if (isRefresh(req)) {
        void fill(route, req, res, once, context, { known: undefined, staleForError: undefined, store: true })
        return
      }
      lookup({ route, req, res, next: once, context }).catch((error: unknown) => {
        core.failed(error)
        if (!res.headersSent) once()
      })
    } catch (error) {
      // a failing option callback (tags, scope, bypass) is the app's error, not the cache's: report it
      // and let the handler answer rather than failing the request
      core.failed(error)
      once()
    }
  }
}

/** Which entry this request may use, or undefined when it goes to the handler (already sent on). */
function scope(route: Route, req: Request, res: Response, next: NextFunction): RequestContext | undefined {
  const { options } = route
  if (options.bypass?.(req) === true) {
    route.bypass(res, next, splitUrl(req).path, 'bypass')
    return undefined
  }
  let user: string | undefined
  if (options.scope !== undefined) {
    const value = options.scope(req)
    if (value === null || value === undefined || value === '') {
      route.bypass(res, next, splitUrl(req).path, 'no-scope')
      return undefined
    }
    user = String(value)
  } else if (!options.public) {
    const credential = credentialOf(req, route.credentials)
    if (credential !== undefined) {
      route.bypass(res, next, splitUrl(req).path, credential)
      return undefined
    }
  }
  const { hash, path, canonical } = requestKey(req, options, user)
  const custom = options.tags(req)
  const tag = pathTag(canonical)
  const tags = custom.length === 0 ? [tag] : [...new Set([tag, ...custom])]
  return { hash, path, canonical, tags, scoped: user !== undefined }
}

async function lookup(request: CachedRequest): Promise<void> {
  const { route, req, res, next, context } = request
  const { core } = route
  const key = core.keys.entryKey(context.hash, context.canonical)
  const local = core.local?.get(key)
  if (
    local !== undefined &&
    route.valid(local.entry, local.versions, req, context) &&
    core.now() < local.entry.freshUntil
  ) {
    route.serve(req, res, next, context, local.entry, localHit)
    return
  }
  let entry: Entry | undefined
  let versions: Versions
  try {
    // the whole hit: entry and tag versions in one MGET (one per hash slot on Cluster), one round trip,
    // shared with the requests for this key that arrived before it was sent
    const epoch = core.local?.epoch
    const found = await core.lookups.read(key, () => core.versions.lookup(key, context.tags).then(decodeFound))
    core.succeeded()
    versions = found.versions
    if (found.entry !== undefined && route.valid(found.entry, versions, req, context)) {
      entry = found.entry
      if (epoch !== undefined && core.now() < entry.freshUntil)
        core.local?.store(key, entry, versions, context.tags, epoch)
    }
  } catch (error) {
    core.failed(error)
    // the backend failed: answer from the handler at once, without trying to store
    route.bypass(res, next, context.path, 'backend-unavailable')
    return
  }
  const now = core.now()
  if (entry !== undefined && now < entry.freshUntil) {
    route.serve(req, res, next, context, entry, hit)
    return
  }
  if (entry !== undefined && now < entry.staleUntil) {
    route.serve(req, res, next, context, entry, staleHit)
    refreshInBackground(route, req, context, entry)
    return
  }
  if (req.method === 'HEAD') {
    // HEAD never fills: the handler's HEAD response has no body to store for GET
    route.announce(res, context.path, headMiss)
    next()
    return
  }
  await miss(request, {
    read: versions,
    staleForError: entry !== undefined && now < entry.errorUntil ? entry : undefined,
  })
}

/** Resolves when `promise` settles or `ms` pass, whichever is first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

/**
 * A GET that found no usable entry: waits for a fill of this process that may answer it (see `join`),
 * or leads one. Waiting is bounded by `lockTimeout`, after which the request answers for itself.
 */
async function miss(request: CachedRequest, found: Miss): Promise<void> {
  const { route, req, res, next, context } = request
  const { core, options } = route
  const deadline = Date.now() + options.lockTimeout
  for (;;) {
    const flight = core.flights.get(context.hash)
    if (flight === undefined) {
      await lead(request, found)
      return
    }
    core.emit({ type: 'collapse-wait', path: context.path })
    const joined = await join(flight, found.read, context.tags, Math.max(0, deadline - Date.now()), core.now)
    if (typeof joined === 'object') {
      if (route.sameAuthority(joined.entry, req)) {
        route.serve(req, res, next, context, joined.entry, joined.stale ? staleHit : collapsedHit)
        return
      }
      // a page rendered for another Host port: fill one for this request's (requests like it wait for it)
      await lead(request, found)
      return
    }
    if (joined !== 'outdated' || Date.now() >= deadline) break
    // the fill read data older than an invalidation this request saw: once it lands, fill anew
    await within(flight.landed, deadline - Date.now())
  }
  // the leader's answer is not shareable (or took too long): run the handler, unstored
  await fill(route, req, res, next, context, { known: undefined, staleForError: undefined, store: false })
}

async function lead(request: CachedRequest, { read, staleForError }: Miss): Promise<void> {
  const { route, req, res, next, context } = request
  const leader = route.core.flights.lead(context.hash, read)
  let result: FillResult = { outcome: undefined }
  try {
    const lock = route.options.lock === 'distributed' ? await takeFillLock(route, req, context) : undefined
    if (lock?.held === false && lock.entry !== undefined) {
      route.serve(req, res, next, context, lock.entry, collapsedHit)
      result = { outcome: { entry: lock.entry, stale: false } }
      return
    }
    result = await fill(route, req, res, next, context, { known: read, staleForError, store: true })
    if (lock?.held === true) lock.release(result.stored)
  } finally {
    leader.settle(result.outcome, result.stored)
  }
}
