import { hashKeyPart } from '@rediware/redis'
import type { Request } from 'express'
import type { ResolvedRouteOptions } from './options.js'

function matches(name: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern))
}

/** Path and query of the URL the client asked for (mount points included). */
export function splitUrl(req: Request): { path: string; search: string } {
  const url = req.originalUrl || req.url || '/'
  const mark = url.indexOf('?')
  return mark === -1 ? { path: url, search: '' } : { path: url.slice(0, mark), search: url.slice(mark + 1) }
}

/** Query parameters filtered by `query.ignore`/`allow`, sorted by name; repeated names keep their order. */
export function normaliseQuery(search: string, query: ResolvedRouteOptions['query']): string {
  const params = [...new URLSearchParams(search)].filter(([name]) =>
    query.allow === undefined ? !matches(name, query.ignore) : matches(name, query.allow),
  )
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return new URLSearchParams(params).toString()
}

export function headerValue(req: Request, name: string): string {
  const value = req.headers[name]
  if (value === undefined) return ''
  return Array.isArray(value) ? value.join(', ') : value
}

function safeGet(read: () => unknown): string {
  try {
    const value = read()
    return typeof value === 'string' ? value.toLowerCase() : ''
  } catch {
    return ''
  }
}

/** The tag every entry of a path carries, so `invalidate({ paths })` reaches all its variants. */
export const pathTag = (path: string): string => `p:${path}`

/**
 * Method (HEAD shares GET's entry), host, path, normalised query, declared vary headers and scope,
 * hashed to a short, injection-proof key part.
 */
export function keyMaterial(req: Request, options: ResolvedRouteOptions, scope: string | undefined): { hash: string; path: string } {
  const { path, search } = splitUrl(req)
  const parts = [
    'v1',
    'GET',
    (req.headers.host ?? '').toLowerCase(),
    // what the app sees through `trust proxy` (X-Forwarded-Host/-Proto) may be reflected in the page
    safeGet(() => req.hostname),
    safeGet(() => req.protocol),
    path,
    normaliseQuery(search, options.query),
    ...options.vary.map((name) => `${name}=${headerValue(req, name)}`),
    scope === undefined ? '-' : `u=${scope}`,
  ]
  return { hash: hashKeyPart(JSON.stringify(parts)), path }
}
