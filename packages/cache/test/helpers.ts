import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { NextFunction, Request, Response } from 'express'
import type { Test } from 'supertest'

/** A tiny stand-in for express-session: `sid=<name>` in the Cookie header → `req.session = { name }`. */
export function fakeSession(req: Request, _res: Response, next: NextFunction): void {
  const cookie = req.headers.cookie ?? ''
  const match = /(?:^|;\s*)sid=([^;]+)/.exec(cookie)
  ;(req as unknown as { session?: { name?: string } }).session = match
    ? { name: decodeURIComponent(match[1] ?? '') }
    : {}
  next()
}

/** Reads the body as raw bytes whatever the content type. */
export function binary(test: Test): Test {
  return test.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = []
    res.on('data', (chunk: Buffer) => chunks.push(chunk))
    res.on('end', () => callback(null, Buffer.concat(chunks)))
  })
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open: () => void = () => undefined
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return { promise, open }
}

const servers: Server[] = []

/**
 * Listens once and returns the base URL: the Host header (part of the cache key) stays the same for
 * every request, as it does in production (supertest's `request(app)` uses a new port per request).
 */
export async function listen(app: RequestListener): Promise<string> {
  const server = createServer(app)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return `http://127.0.0.1:${address.port}`
}

afterAll(async () => {
  const closing = servers.splice(0).map(
    (server) =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  await Promise.all(closing)
})
