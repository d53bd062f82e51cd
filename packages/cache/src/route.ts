import type { NextFunction, Request, Response } from 'express'
import { markResponse, type Verdict } from './cache-status.js'
import type { CacheCore } from './core.js'
import type { CredentialRule } from './credentials.js'
import type { Entry } from './envelope.js'
import type { Versions } from './flights.js'
import { authorityOf } from './host-key.js'
import type { ResolvedRouteOptions } from './resolve-options.js'
import { codingToDecode, decodeBody, sendEntry } from './serve.js'
import { tagsMatch } from './tag-versions.js'

/** What one request looks up: its entry's key and tags. */
export interface RequestContext {
  hash: string
  /** The path as sent (events). */
  path: string
  /** The path every alias shares (path tag, entry home). */
  canonical: string
  tags: readonly string[]
  /** The route keys entries per user (`scope`). */
  scoped: boolean
}

const eventTypes = { HIT: 'hit', STALE: 'stale', MISS: 'miss', BYPASS: 'bypass' } as const

/** One `route()` middleware: its options and the steps every state of a request shares. */
export class Route {
  readonly core: CacheCore
  readonly options: ResolvedRouteOptions
  /** An entry's physical life (its PX); its tag counters live at least this long (see TagVersions). */
  readonly lifetime: number
  readonly credentials: CredentialRule
  /** Whether fills watch for identity reads (routes that key neither users nor credentials). */
  readonly guarded: boolean
  /** Request headers a background refresh leaves out: credentials that are not part of the key. */
  readonly refreshDrops: ReadonlySet<string>

  constructor(core: CacheCore, options: ResolvedRouteOptions) {
    this.core = core
    this.options = options
    this.lifetime = options.ttl + Math.max(options.swr, options.sie)
    const keyed = { cookie: options.vary.includes('cookie'), authorization: options.vary.includes('authorization') }
    this.credentials = { keyed, ignoreCookies: options.ignoreCookies }
    this.guarded = options.scope === undefined && !keyed.cookie && !keyed.authorization
    const drops = new Set<string>()
    if (options.scope === undefined) {
      if (!keyed.cookie) drops.add('cookie')
      if (!keyed.authorization) drops.add('authorization')
    }
    this.refreshDrops = drops
  }

  /** Marks the response (`X-Cache`, `Cache-Status`, `Cache-Control`) and reports the event. */
  announce(res: Response, path: string, verdict: Verdict, ttl?: number): void {
    if (!res.headersSent) markResponse(res, this.core.name, verdict, this.options.cacheControl, ttl)
    if (!this.core.hooks.listening) return
    const detail = verdict.detail ?? (verdict.collapsed === true ? 'collapsed' : undefined)
    this.core.emit(
      detail === undefined
        ? { type: eventTypes[verdict.xCache], path }
        : { type: eventTypes[verdict.xCache], path, detail },
    )
  }

  /** The request goes to the handler; nothing is stored. */
  bypass(res: Response, next: NextFunction, path: string, detail: string): void {
    this.announce(res, path, { xCache: 'BYPASS', fwd: 'bypass', detail })
    next()
  }

  /**
   * Whether an entry read with `versions` may answer this request: every tag it recorded still has
   * that version (and it recorded every tag of the route), and a page rendered from the Host header
   * goes only to requests that send the same authority.
   */
  valid(entry: Entry, versions: Versions, req: Request, context: RequestContext): boolean {
    if (Object.keys(entry.tags).length !== context.tags.length || !tagsMatch(entry.tags, versions)) return false
    return this.sameAuthority(entry, req)
  }

  sameAuthority(entry: Entry, req: Request): boolean {
    return entry.authority === undefined || entry.authority === authorityOf(req)
  }

  /**
   * Answers from an entry: at once when the client takes the stored bytes; otherwise after decoding
   * them off the event loop, within `maxBodySize` (past it, or when they do not decode, the handler
   * answers instead).
   */
  serve(
    req: Request,
    res: Response,
    next: NextFunction,
    context: RequestContext,
    entry: Entry,
    verdict: Verdict,
  ): void {
    const now = this.core.now()
    const ttl = Math.round((entry.freshUntil - now) / 1000)
    const coding = codingToDecode(req, entry)
    if (coding === undefined) {
      this.announce(res, context.path, verdict, ttl)
      sendEntry(req, res, entry, entry.body, now)
      return
    }
    decodeBody(coding, entry.body, this.options.maxBodySize)
      .then((body) => {
        if (typeof body === 'string') {
          this.bypass(res, next, context.path, body)
          return
        }
        this.announce(res, context.path, verdict, ttl)
        sendEntry(req, res, entry, body, now)
      })
      .catch((error: unknown) => {
        this.core.failed(error)
        if (!res.headersSent) next()
      })
  }
}
