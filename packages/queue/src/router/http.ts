import type { IncomingMessage, ServerResponse } from 'node:http'

/** A Connect/Express middleware over Node's own request and response types (no Express import). */
export type RequestHandler<Req extends IncomingMessage = IncomingMessage> = (
  req: Req,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

/** The path and query of a request as the mounted router sees them (Express strips the mount path). */
export function requestTarget(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const url = new URL(req.url ?? '/', 'http://localhost')
  return { path: url.pathname, query: url.searchParams }
}

/** Where the router is mounted (`req.baseUrl` under Express; '' elsewhere), for absolute links. */
export function mountPath(req: IncomingMessage): string {
  const base = (req as { baseUrl?: unknown }).baseUrl
  return typeof base === 'string' ? base : ''
}

const securityHeaders = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...securityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  })
  res.end(text)
}

export function sendHtml(res: ServerResponse, status: number, html: string, nonce: string, cookie?: string): void {
  const headers: Record<string, string | number> = {
    ...securityHeaders,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
  }
  if (cookie) headers['Set-Cookie'] = cookie
  res.writeHead(status, headers)
  res.end(html)
}

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const index = part.indexOf('=')
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim()
  }
  return undefined
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char)

/** A string as a JS literal that cannot close the script element. */
export const jsString = (text: string): string => JSON.stringify(text).replace(/</g, '\\u003c')
