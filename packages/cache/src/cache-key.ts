import { hashKeyPart } from '@rediware/redis'
import type { Request } from 'express'
import { hostName } from './host-key.js'
import { normaliseQuery } from './query-key.js'
import { canonicalPath, headerValue, splitUrl } from './request-url.js'
import type { ResolvedRouteOptions } from './resolve-options.js'

function safeGet(read: () => unknown): string {
  try {
    const value = read()
    return typeof value === 'string' ? value.toLowerCase() : ''
  } catch {
    return ''
  }
}

export interface RequestKey {
  /** The entry's key part: a hash of the key material. */
  hash: string
  /** The path as sent (events). */
  path: string
  /** The path every alias shares (path tag, entry home on Cluster). */
  canonical: string
}

/**
 * Method (HEAD shares GET's entry), host name, what the app sees through `trust proxy`
 * (X-Forwarded-Host/-Proto may be reflected in the page), path as sent, query (see
 * `normaliseQuery`), declared vary headers and scope, hashed to a short, injection-proof key part.
 */
export function requestKey(req: Request, options: ResolvedRouteOptions, scope: string | undefined): RequestKey {
  const { path, search } = splitUrl(req)
  const parts = [
    'v2',
    'GET',
    hostName(req.headers.host),
    safeGet(() => req.hostname),
    safeGet(() => req.protocol),
    path,
    normaliseQuery(search, options.query),
    ...options.vary.map((name) => `${name}=${headerValue(req, name)}`),
    scope === undefined ? '-' : `u=${scope}`,
  ]
  return { hash: hashKeyPart(JSON.stringify(parts)), path, canonical: canonicalPath(path) }
}
