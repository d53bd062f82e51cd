import type { OutgoingHttpHeaders } from 'node:http'

/** Headers never stored: hop-by-hop (RFC 9110 §7.6.1), per-response, and our own. */
const notStored = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'content-length',
  'date',
  'age',
  'x-cache',
  'cache-status',
  'etag',
])

export function headerText(value: OutgoingHttpHeaders[string]): string {
  if (value === undefined) return ''
  return Array.isArray(value) ? value.join(', ') : String(value)
}

export function directives(value: string): Set<string> {
  return new Set(
    value
      .split(',')
      .map((part) => part.split('=')[0]?.trim().toLowerCase() ?? '')
      .filter((part) => part.length > 0),
  )
}

/**
 * Why a response may not be stored in a shared cache (RFC 9111 §3), as a token for `Cache-Status`,
 * or undefined when it may.
 */
export function unstorableReason(
  status: number,
  headers: OutgoingHttpHeaders,
  statuses: ReadonlySet<number>,
  declaredVary: readonly string[],
): string | undefined {
  if (status >= 500 || !statuses.has(status)) return `status-${status}`
  if (headers['set-cookie'] !== undefined) return 'set-cookie'
  const cacheControl = directives(headerText(headers['cache-control']))
  for (const directive of ['private', 'no-store', 'no-cache']) {
    if (cacheControl.has(directive)) return `cache-control-${directive}`
  }
  const vary = headerText(headers.vary)
  if (vary.length > 0) {
    for (const name of vary.split(',').map((part) => part.trim().toLowerCase())) {
      if (name === '') continue
      if (name === '*') return 'vary-star'
      // Accept-Encoding is understood: hits are decoded for clients that do not accept the stored coding
      if (name !== 'accept-encoding' && !declaredVary.includes(name)) return 'vary-undeclared'
    }
  }
  return undefined
}

/**
 * The end-to-end headers worth replaying, names lowercased. Headers that middleware before the cache
 * had already set (`upstream`), and the handler left as they were, belong to each request (rate-limit
 * counters, request ids) and are not stored: a hit keeps the values this request's middleware set.
 */
export function storedHeaders(
  headers: OutgoingHttpHeaders,
  upstream: OutgoingHttpHeaders = {},
): [string, string | string[]][] {
  const result: [string, string | string[]][] = []
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (value === undefined || notStored.has(lower)) continue
    const before = upstream[lower]
    if (before !== undefined && headerText(before) === headerText(value)) continue
    result.push([lower, Array.isArray(value) ? value.map(String) : String(value)])
  }
  return result
}
