import type { ServerResponse } from 'node:http'

/** How the cache handled one response: the source of `X-Cache`, `Cache-Status` (RFC 9211) and the event. */
export interface Verdict {
  xCache: 'HIT' | 'STALE' | 'MISS' | 'BYPASS'
  /** RFC 9211 `fwd`: why the request went forward (none on a hit). */
  fwd?: 'uri-miss' | 'bypass' | 'stale'
  /** Served from a fill another request of this process ran. */
  collapsed?: boolean
  /** Why (a bypass reason, `stale-if-error-503`, `head`, …). */
  detail?: string
}

export const hit: Verdict = { xCache: 'HIT' }
/** Served by the in-process tier (`local` option) without reading Redis. */
export const localHit: Verdict = { xCache: 'HIT', detail: 'local' }
export const collapsedHit: Verdict = { xCache: 'HIT', collapsed: true }
export const staleHit: Verdict = { xCache: 'STALE', fwd: 'stale' }

/**
 * The `Cache-Status` value of a verdict, e.g. `rediware; hit; ttl=42` or `rediware; fwd=bypass;
 * detail=cookie`; `ttl`: seconds of freshness left of the entry served (negative when stale).
 */
export function cacheStatus(name: string, verdict: Verdict, ttl?: number): string {
  let value = verdict.fwd === undefined ? `${name}; hit` : `${name}; fwd=${verdict.fwd}`
  if (ttl !== undefined) value += `; ttl=${ttl}`
  if (verdict.collapsed === true) value += '; collapsed'
  if (verdict.detail !== undefined) value += `; detail=${verdict.detail}`
  return value
}

/** Sets `X-Cache`, `Cache-Status` and, when the route asks, `Cache-Control`. */
export function markResponse(
  res: ServerResponse,
  name: string,
  verdict: Verdict,
  cacheControl: string | undefined,
  ttl?: number,
): void {
  res.setHeader('X-Cache', verdict.xCache)
  res.setHeader('Cache-Status', cacheStatus(name, verdict, ttl))
  if (cacheControl !== undefined) res.setHeader('Cache-Control', cacheControl)
}
