import type { Request } from 'express'

/**
 * Path and query of the URL the client asked for (mount points included), as sent: an absolute-form
 * target (`GET http://host/path`) keeps its scheme and authority, since a handler that echoes the URL
 * would echo them too.
 */
export function splitUrl(req: Request): { path: string; search: string } {
  const url = req.originalUrl || req.url || '/'
  const mark = url.indexOf('?')
  return mark === -1 ? { path: url, search: '' } : { path: url.slice(0, mark), search: url.slice(mark + 1) }
}

/** A request header as one string (repeated fields joined). */
export function headerValue(req: Request, name: string): string {
  const value = req.headers[name]
  if (value === undefined) return ''
  return Array.isArray(value) ? value.join(', ') : value
}

const escapeRun = /(?:%[0-9A-Fa-f]{2})+/g
const needsWork = /[%A-Z]|.\/$/

function decodeEscapes(text: string): string {
  return text.replace(escapeRun, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      // not UTF-8: kept as escapes, in one spelling
      return run.toUpperCase()
    }
  })
}

/**
 * The one spelling of a path that every alias the router sends to the same handler shares, for path
 * tags: the path of an absolute-form target, percent-escapes decoded (Express matches `/docs/%61` to
 * `/docs/:page` with page `a`), lower case (case-insensitive routing) and no trailing slash (non-strict
 * routing). It folds what the default routing folds whatever the app's settings: a Router or sub-app
 * routes with its own settings, which a request does not reveal and `invalidate({ paths })` cannot
 * know. Folding more than a case-sensitive or strict app does only makes an invalidation reach a few
 * more entries; folding less would leave aliases stale.
 */
export function canonicalPath(path: string): string {
  let canonical = path
  if (canonical.charCodeAt(0) !== 47 /* / */) {
    const scheme = canonical.indexOf('://')
    if (scheme !== -1) {
      const slash = canonical.indexOf('/', scheme + 3)
      canonical = slash === -1 ? '/' : canonical.slice(slash)
    }
  }
  if (!needsWork.test(canonical)) return canonical
  if (canonical.includes('%')) canonical = decodeEscapes(canonical)
  canonical = canonical.toLowerCase()
  let end = canonical.length
  while (end > 1 && canonical.charCodeAt(end - 1) === 47) end -= 1
  return end === canonical.length ? canonical : canonical.slice(0, end)
}

/** The tag every entry of a path carries, so `invalidate({ paths })` reaches all its variants and aliases. */
export const pathTag = (canonical: string): string => `p:${canonical}`
