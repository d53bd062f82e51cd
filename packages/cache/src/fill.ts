import type { ServerResponse } from 'node:http'
import { hashKeyPart } from '@rediware/redis'
import type { NextFunction, Request, Response } from 'express'
import { captureResponse } from './capture.js'
import type { FillOutcome } from './core.js'
import type { Entry } from './envelope.js'
import { encodeEntry } from './envelope.js'
import type { Versions } from './flights.js'
import { authorityOf } from './host-key.js'
import { watchRequest } from './request-watch.js'
import type { RequestContext, Route } from './route.js'
import { storedHeaders, unstorableReason } from './storability.js'

export interface FillPlan {
  /** Versions the lookup read (saves reading them again), if any. */
  known: Versions | undefined
  /** An entry to send instead of a 5xx (stale-if-error). */
  staleForError: Entry | undefined
  /** Whether the response may be stored (false: a follower answering for itself). */
  store: boolean
}

export interface FillResult {
  outcome: FillOutcome
  /** The store, when one was sent. */
  stored?: Promise<void>
}

/** Client conditionals would let the framework answer 304 with no body, which must not be stored. */
const conditionalHeaders = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since'] as const

/**
 * Runs the handler (`next()`), captures its response and stores it when it is shareable. Resolves
 * when the response is over, with what requests waiting for this fill may be served.
 */
export async function fill(
  route: Route,
  req: Request,
  res: Response,
  next: NextFunction,
  context: RequestContext,
  plan: FillPlan,
): Promise<FillResult> {
  const { core, options } = route
  // what middleware before the cache set: per-request headers, never stored nor dropped
  const upstream = { ...res.getHeaders() }
  // the versions are read before the handler runs: an invalidation during the fill makes the
  // stored entry carry an old version, so it is never served as fresh
  let snapshot: Record<string, string> | undefined
  if (plan.store) {
    try {
      snapshot = await core.versions.snapshot(context.tags, route.lifetime, plan.known)
      core.succeeded()
    } catch (error) {
      core.failed(error)
    }
  }
  for (const header of conditionalHeaders) delete req.headers[header]
  const watch = watchRequest(req, { identity: route.guarded })
  const personal = (): string | undefined =>
    watch.personal === undefined ? undefined : `personalised-${watch.personal}`
  return new Promise<FillResult>((resolve) => {
    let headReason: string | undefined
    let finished = false
    const finish = (result: FillResult): void => {
      if (finished) return
      finished = true
      watch.stop()
      resolve(result)
    }
    res.once('close', () => finish({ outcome: undefined }))
    const sendStale = (stale: Entry, status: number) => (response: ServerResponse) => {
      watch.stop()
      for (const header of response.getHeaderNames()) {
        if (upstream[header] === undefined) response.removeHeader(header)
        else response.setHeader(header, upstream[header])
      }
      // the handler already failed: a stale body that cannot be decoded for this client leaves a 502
      route.serve(req, res, () => res.status(502).end(), context, stale, {
        xCache: 'STALE',
        fwd: 'stale',
        detail: `stale-if-error-${status}`,
      })
      finish({ outcome: { entry: stale, stale: true } })
    }
    captureResponse(res, {
      maxBodySize: options.maxBodySize,
      outer: watch.unwatched,
      head: (status, headers) => {
        const stale = plan.staleForError
        if (status >= 500 && stale !== undefined && core.now() < stale.errorUntil) return sendStale(stale, status)
        if (snapshot === undefined) headReason = plan.store ? 'backend-unavailable' : 'not-stored'
        else headReason = unstorableReason(status, headers, options.statuses, options.vary) ?? personal()
        if (headReason === undefined) route.announce(res, context.path, { xCache: 'MISS', fwd: 'uri-miss' })
        else
          route.announce(res, context.path, {
            xCache: 'BYPASS',
            fwd: plan.store ? 'uri-miss' : 'bypass',
            detail: headReason,
          })
        return undefined
      },
      end: (captured) => {
        watch.stop()
        const body = captured.body
        if (headReason !== undefined || personal() !== undefined || body === undefined || snapshot === undefined) {
          finish({ outcome: undefined })
          return
        }
        const storedAt = core.now()
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
          authority: watch.readAuthority ? authorityOf(req) : undefined,
        }
        // the entry's PX and the extension of its counters' TTLs go in one batch (one round trip)
        const stored = core.versions
          .store(core.keys.entryKey(context.hash, context.canonical), encodeEntry(entry), route.lifetime, context.tags)
          .then(() => {
            core.succeeded()
            core.emit({ type: 'store', path: context.path })
          })
          .catch(core.failed)
        // requests of this process arriving before the SET completes still get the entry
        finish({ outcome: { entry, stale: false }, stored })
      },
    })
    try {
      next()
    } catch (error) {
      core.failed(error)
      finish({ outcome: undefined })
    }
  })
}
