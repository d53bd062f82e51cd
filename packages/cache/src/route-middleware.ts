import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { hashKeyPart } from '@rediware/redis'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { headerValue, keyMaterial, pathTag, splitUrl } from './cache-key.js'
import { captureResponse } from './capture.js'
import type { CacheCore, FillOutcome, Pending } from './core.js'
import { decodeEntry, type Entry, encodeEntry } from './envelope.js'
import type { ResolvedRouteOptions } from './options.js'
import { type PersonalisationGuard, watchPersonalisation } from './personalisation-guard.js'
import { dispatchRefresh, isRefresh } from './refresh.js'
import { serveEntry } from './serve.js'
import { storedHeaders, unstorableReason } from './storability.js'
import { tagsMatch } from './tag-versions.js'

type Outcome = FillOutcome

function deferred(): Pending<Outcome> {
  let settle: (outcome: Outcome) => void = () => undefined
  const promise = new Promise<Outcome>((r) => {
    settle = r
  })
  const pending: Pending<Outcome> = {
    promise,
    settled: false,
    resolve: (outcome) => {
      pending.settled = true
      settle(outcome)
    },
  }
  return pending
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const conditionalHeaders = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since'] as const

interface RequestContext {
  hash: string
  path: string
  tags: readonly string[]
  scoped: boolean
}

export function createRouteMiddleware(core: CacheCore, options: ResolvedRouteOptions): RequestHandler {
  const { name } = core
  const entryKey = (context: RequestContext): string => core.keys.entryKey(context.hash, context.path)
  /**
   * The refresh lock is per stale entry (its storedAt) and simply expires: a request that read the
   * old entry just before the refresh stored the new one can not start a second refresh (it would if
   * the lock were deleted after the store), and the next staleness of the new entry has its own lock.
   */
  const refreshKey = (hash: string, stale: Entry): string => `${core.keys.refreshKey(hash)}:${stale.storedAt}`
  const lockKey = (hash: string): string => core.keys.lockKey(hash)

  /**
   * `lock: 'distributed'`: another instance holds the fill lock. Polls for its entry until the lock
   * is released (uncacheable response: run the handler at once) or `lockTimeout` passes.
   */
  const waitForOtherInstance = async (context: RequestContext): Promise<Entry | undefined> => {
    core.emit({ type: 'lock-wait', path: context.path })
    const deadline = Date.now() + options.lockTimeout
    let pause = 20
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, pause))
      pause = Math.min(pause * 2, 200)
      const [{ text, versions }, locked] = await Promise.all([
        core.versions.lookup(entryKey(context), context.tags),
        core.client.exists(lockKey(context.hash), core.callOptions),
      ])
      const entry = decodeEntry(text)
      if (entry !== undefined && tagsMatch(entry.tags, versions) && core.now() < entry.freshUntil) return entry
      if (locked === 0) return undefined
    }
    return undefined
  }
  const guardOff = options.vary.includes('cookie') || options.vary.includes('authorization')

  const bypass = (req: Request, res: Response, next: NextFunction, detail: string): void => {
    core.emit({ type: 'bypass', path: splitUrl(req).path, detail })
    res.setHeader('X-Cache', 'BYPASS')
    res.setHeader('Cache-Status', `${name}; fwd=bypass; detail=${detail}`)
    if (options.cacheControl !== undefined) res.setHeader('Cache-Control', options.cacheControl)
    next()
  }

  const serve = (req: Request, res: Response, entry: Entry, stale: boolean, detail: string): void => {
    core.emit({ type: stale ? 'stale' : 'hit', path: splitUrl(req).path, ...(detail === '' ? {} : { detail: detail.replace(/^; (detail=)?/, '') }) })
    const now = core.now()
    const ttl = Math.round((entry.freshUntil - now) / 1000)
    serveEntry(req, res, entry, {
      xCache: stale ? 'STALE' : 'HIT',
      cacheStatus: stale ? `${name}; fwd=stale; ttl=${ttl}${detail}` : `${name}; hit; ttl=${ttl}${detail}`,
      now,
      cacheControl: options.cacheControl,
    })
  }

  /** An entry's physical life (its PX); its tag counters live at least this long (see TagVersions). */
  const lifetime = options.ttl + Math.max(options.swr, options.sie)

  /** Runs the handler, capturing its response; stores it when it is shareable. Resolves followers. */
  const fill = (
    req: Request,
    res: Response,
    next: NextFunction,
    context: RequestContext,
    fillOptions: { known: Record<string, string | null> | undefined; staleForError: Entry | undefined; store: boolean; done: (outcome: Outcome, stored?: Promise<void>) => void },
  ): void => {
    // what middleware before the cache set: per-request headers, never stored nor dropped
    const upstream = { ...res.getHeaders() }
    const run = async (): Promise<void> => {
      // the versions are read before the handler runs: an invalidation during the fill makes the
      // stored entry carry an old version, so it is never served as fresh
      let snapshot: Record<string, string> | undefined
      if (fillOptions.store) {
        try {
          snapshot = await core.versions.snapshot(context.tags, lifetime, fillOptions.known)
          core.reporter.healthy()
        } catch (error) {
          core.reporter.report(error)
        }
      }
      // client conditionals would let the framework answer 304 with no body, which must not be stored
      for (const header of conditionalHeaders) delete req.headers[header]
      const guard: PersonalisationGuard | undefined = context.scoped || guardOff ? undefined : watchPersonalisation(req)
      let headReason: string | undefined
      let finished = false
      const finish = (outcome: Outcome, stored?: Promise<void>): void => {
        if (finished) return
        finished = true
        guard?.stop()
        fillOptions.done(outcome, stored)
      }
      res.once('close', () => finish(undefined))
      captureResponse(res, {
        maxBodySize: options.maxBodySize,
        head: (status, headers) => {
          const stale = fillOptions.staleForError
          if (status >= 500 && stale !== undefined && core.now() < stale.errorUntil) {
            return (response: ServerResponse) => {
              guard?.stop()
              for (const header of response.getHeaderNames()) {
                if (upstream[header] === undefined) response.removeHeader(header)
                else response.setHeader(header, upstream[header])
              }
              serve(req, res, stale, true, `; detail=stale-if-error-${status}`)
              finish({ entry: stale, stale: true })
            }
          }
          headReason = snapshot === undefined ? (fillOptions.store ? 'backend-unavailable' : 'not-stored') : unstorableReason(status, headers, options.statuses, options.vary)
          headReason ??= guard?.reason === undefined ? undefined : `personalised-${guard.reason}`
          core.emit({ type: headReason === undefined ? 'miss' : 'bypass', path: context.path, ...(headReason === undefined ? {} : { detail: headReason }) })
          if (!res.headersSent) {
            res.setHeader('X-Cache', headReason === undefined ? 'MISS' : 'BYPASS')
            res.setHeader('Cache-Status', headReason === undefined ? `${name}; fwd=uri-miss` : `${name}; fwd=${fillOptions.store ? 'uri-miss' : 'bypass'}; detail=${headReason}`)
            if (options.cacheControl !== undefined) res.setHeader('Cache-Control', options.cacheControl)
          }
          return undefined
        },
        end: (captured) => {
          guard?.stop()
          const reason =
            headReason ??
            (guard?.reason === undefined ? undefined : `personalised-${guard.reason}`) ??
            (captured.body === undefined ? 'too-big' : undefined)
          if (reason !== undefined || snapshot === undefined || captured.body === undefined) {
            finish(undefined)
            return
          }
          const storedAt = core.now()
          const body = captured.body
          const appEtag = captured.headers.etag
          const entry: Entry = {
            status: captured.status,
            headers: storedHeaders(captured.headers, upstream),
            body,
            etag: typeof appEtag === 'string' && appEtag.length > 0 ? appEtag : `"${hashKeyPart(body)}"`,
            storedAt,
            freshUntil: storedAt + options.ttl,
            staleUntil: storedAt + options.ttl + options.swr,
            errorUntil: storedAt + options.ttl + options.sie,
            tags: snapshot,
          }
          // the entry's PX and the extension of its counters' TTLs go in one batch (one round trip)
          const stored = core.versions
            .store(entryKey(context), encodeEntry(entry), lifetime, context.tags)
            .then(() => {
              core.reporter.healthy()
              core.emit({ type: 'store', path: context.path })
            })
            .catch((error: unknown) => core.reporter.report(error))
          // requests of this process arriving before the SET completes still get the entry
          finish({ entry, stale: false }, stored)
        },
      })
      next()
    }
    run().catch((error: unknown) => {
      core.reporter.report(error)
      fillOptions.done(undefined)
      next()
    })
  }

  /** One refresh per key across instances: a short NX lock, then a background request through the app. */
  const refreshInBackground = (req: Request, context: RequestContext, stale: Entry): void => {
    const token = randomBytes(8).toString('hex')
    core.client
      .set(refreshKey(context.hash, stale), token, { nx: true, px: Math.max(options.lockTimeout, 1000), ...core.callOptions })
      .then((acquired) => {
        if (acquired && dispatchRefresh(req, context.scoped)) core.emit({ type: 'refresh', path: context.path })
      })
      .catch((error: unknown) => core.reporter.report(error))
  }

  const handleGet = async (req: Request, res: Response, next: NextFunction, context: RequestContext): Promise<void> => {
    const waiting = core.inflight.get(context.hash)
    if (waiting !== undefined && req.method === 'GET') {
      // a request for this key is already looking up or filling: wait for it (bounded)
      const late = waiting.settled
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), options.lockTimeout)
      })
      const outcome = await Promise.race([waiting.promise, timeout])
      clearTimeout(timer)
      if (outcome !== 'timeout' && outcome !== undefined) {
        // a request arriving after the fill finished (its SET may still be in flight) re-checks the tags
        const valid = !late || tagsMatch(outcome.entry.tags, await core.versions.read(context.tags))
        if (valid && (outcome.stale || core.now() < outcome.entry.freshUntil)) {
          serve(req, res, outcome.entry, outcome.stale, outcome.stale ? '' : '; collapsed')
          return
        }
        // expired or invalidated since: look it up as usual
      } else if (!late) {
        // the leader's response was not shareable (or took too long): run the handler ourselves
        fill(req, res, next, context, { known: undefined, staleForError: undefined, store: false, done: () => undefined })
        return
      }
    }
    const leader = req.method === 'GET' && !core.inflight.has(context.hash) ? deferred() : undefined
    if (leader !== undefined) core.inflight.set(context.hash, leader)
    const done = (outcome: Outcome, stored?: Promise<void>): void => {
      if (leader === undefined) return
      leader.resolve(outcome)
      const release = (): void => {
        if (core.inflight.get(context.hash) === leader) core.inflight.delete(context.hash)
      }
      if (stored === undefined) release()
      else void stored.finally(release)
    }
    let entry: Entry | undefined
    let versions: Record<string, string | null> | undefined
    try {
      // the whole hit: entry and tag versions in one MGET (one per hash slot on Cluster), one round trip
      const { text, versions: current } = await core.versions.lookup(entryKey(context), context.tags)
      core.reporter.healthy()
      versions = current
      const decoded = decodeEntry(text)
      if (decoded !== undefined && tagsMatch(decoded.tags, current) && Object.keys(decoded.tags).length === context.tags.length) {
        entry = decoded
      }
    } catch (error) {
      core.reporter.report(error)
      done(undefined)
      // the backend failed: answer from the handler at once, without trying to store
      core.emit({ type: 'bypass', path: context.path, detail: 'backend-unavailable' })
      res.setHeader('X-Cache', 'BYPASS')
      res.setHeader('Cache-Status', `${name}; fwd=bypass; detail=backend-unavailable`)
      next()
      return
    }
    const now = core.now()
    if (entry !== undefined && now < entry.freshUntil) {
      serve(req, res, entry, false, '')
      done({ entry, stale: false })
      return
    }
    if (entry !== undefined && now < entry.staleUntil) {
      serve(req, res, entry, true, '')
      done({ entry, stale: true })
      refreshInBackground(req, context, entry)
      return
    }
    if (req.method === 'HEAD') {
      // HEAD never fills: the handler's HEAD response has no body to store for GET
      res.setHeader('X-Cache', 'MISS')
      res.setHeader('Cache-Status', `${name}; fwd=uri-miss; detail=head`)
      next()
      return
    }
    const staleForError = entry !== undefined && now < entry.errorUntil ? entry : undefined
    if (options.lock === 'distributed') {
      const token = randomBytes(8).toString('hex')
      let acquired = true
      try {
        acquired = await core.client.set(lockKey(context.hash), token, { nx: true, px: options.lockTimeout, ...core.callOptions })
        if (!acquired) {
          const filled = await waitForOtherInstance(context)
          if (filled !== undefined) {
            serve(req, res, filled, false, '; collapsed')
            done({ entry: filled, stale: false })
            return
          }
        }
      } catch (error) {
        core.reporter.report(error)
      }
      if (acquired) {
        // released as soon as this fill is over, whatever its outcome, so waiting instances go on at once
        const release = (): void => {
          core.client.del(lockKey(context.hash), core.callOptions).catch((error: unknown) => core.reporter.report(error))
        }
        fill(req, res, next, context, {
          known: versions,
          staleForError,
          store: true,
          done: (outcome, stored) => {
            done(outcome, stored)
            if (stored === undefined) release()
            else void stored.finally(release)
          },
        })
        return
      }
    }
    fill(req, res, next, context, { known: versions, staleForError, store: true, done })
  }

  return function rediwareCache(req: Request, res: Response, next: NextFunction): void {
    let nextCalled = false
    const once: NextFunction = ((error?: unknown) => {
      if (nextCalled) return
      nextCalled = true
      next(error)
    }) as NextFunction
    try {
      if (writeMethods.has(req.method)) {
        if (options.invalidateOnWrite) {
          const { path } = splitUrl(req)
          // the path is invalidated before the response completes, so the client's next read is fresh
          const originalEnd = res.end
          let ended = false
          res.end = function end(this: Response, ...args: unknown[]) {
            if (ended || res.statusCode >= 400) return (originalEnd as (...a: unknown[]) => Response).apply(this, args)
            ended = true
            core.versions
              .bump([pathTag(path)])
              .catch((error: unknown) => core.reporter.report(error))
              .finally(() => (originalEnd as (...a: unknown[]) => Response).apply(this, args))
            return this
          } as Response['end']
        }
        once()
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        once()
        return
      }
      if (options.bypass?.(req) === true) {
        bypass(req, res, once, 'bypass')
        return
      }
      let scope: string | undefined
      if (options.scope !== undefined) {
        const value = options.scope(req)
        if (value === null || value === undefined || value === '') {
          bypass(req, res, once, 'no-scope')
          return
        }
        scope = String(value)
      } else if (headerValue(req, 'authorization') !== '') {
        bypass(req, res, once, 'authorization')
        return
      }
      const { hash, path } = keyMaterial(req, options, scope)
      const tags = [...new Set([pathTag(path), ...options.tags(req)])]
      const context: RequestContext = { hash, path, tags, scoped: scope !== undefined }
      if (isRefresh(req)) {
        fill(req, res, once, context, { known: undefined, staleForError: undefined, store: true, done: () => undefined })
        return
      }
      handleGet(req, res, once, context).catch((error: unknown) => {
        core.reporter.report(error)
        if (!res.headersSent) once()
      })
    } catch (error) {
      // a failing option callback (tags, scope, bypass) is the app's error, not the cache's: report it
      // and let the handler answer rather than failing the request
      core.reporter.report(error)
      once()
    }
  }
}
