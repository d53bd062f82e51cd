import { connect, type Socket } from 'node:net'
import express, { type Express, type RequestHandler } from 'express'
import { responseBody } from '../body.js'
import type { ExtraMeasurement } from '../scenario.js'

export const cacheHitGroup = 'cache hit'

/** How long the cached handler takes: what a miss costs. */
export const handlerDelayMs = 20

/**
 * `GET /` behind `middleware`, answering the ~2 KB body after 20 ms. `GET /runs` (not cached) tells
 * how often the handler ran, for the cold-key measurement.
 */
export function cachedApp(middleware: RequestHandler): Express {
  let runs = 0
  const app = express()
  app.get('/runs', (_req, res) => {
    res.json({ runs })
  })
  app.get('/', middleware, (_req, res) => {
    runs += 1
    setTimeout(() => {
      res.json(responseBody)
    }, handlerDelayMs)
  })
  return app
}

const concurrentMisses = 100

async function handlerRuns(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/runs`)
  const body = (await response.json()) as { runs?: unknown }
  if (typeof body.runs !== 'number') throw new Error(`${baseUrl}/runs answered ${JSON.stringify(body)}`)
  return body.runs
}

/**
 * Sends `GET path` on `count` sockets that are connected first and then written in one synchronous
 * loop, so the requests arrive together (an HTTP client spreads them over its own async work and the
 * handshakes, longer than a 20 ms handler). Resolves with each response's status.
 */
async function burst(baseUrl: string, path: string, count: number): Promise<number[]> {
  const { hostname, port } = new URL(baseUrl)
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect(Number(port), hostname, () => resolve(socket))
          socket.once('error', reject)
        }),
    ),
  )
  const answers = sockets.map(
    (socket) =>
      new Promise<number>((resolve, reject) => {
        let head = ''
        socket.on('data', (chunk: Buffer) => {
          if (head.length < 64) head += chunk.toString('latin1')
        })
        socket.once('error', reject)
        socket.once('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)))
      }),
  )
  const request = `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`
  for (const socket of sockets) socket.write(request)
  return Promise.all(answers)
}

/** 100 concurrent requests to a key nobody asked for yet: how many of them reach the handler. */
export const coldKeyHandlerRuns: ExtraMeasurement = {
  section: `cache: ${concurrentMisses} concurrent requests to a cold key`,
  column: 'handler runs (answers)',
  async measure(baseUrl) {
    const before = await handlerRuns(baseUrl)
    const statuses = await burst(baseUrl, `/?cold=${Date.now()}`, concurrentMisses)
    const runs = (await handlerRuns(baseUrl)) - before
    const ok = statuses.filter((status) => status === 200).length
    return `${runs} (${ok}/${concurrentMisses} answered 200)`
  },
}
