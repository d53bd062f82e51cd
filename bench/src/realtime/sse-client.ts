import { type ClientRequest, request } from 'node:http'
import type { Tick } from './protocol.js'
import { eventType } from './protocol.js'

export interface StreamClient {
  /** Connects; resolves once the server answered (SSE headers, socket.io handshake). */
  open(): Promise<void>
  /** Drops the connection as a network failure would; `open()` comes back. */
  drop(): void
  close(): void
  /** Times the stream ended without being dropped or closed here, and the client came back by itself. */
  readonly unexpectedReconnects: number
}

/** How long a stream that ended by itself waits before reconnecting (EventSource's default is about 3 s; ours sends `retry:`). */
const reconnectDelayMs = 1000

/**
 * A light EventSource for the load process: node:http, one socket per client, parsing `id:`,
 * `event:` and `data:` lines. It resends the last id as `Last-Event-ID` when `resume` is set, as a
 * browser does, and reconnects on its own when the server ends the stream.
 */
export function sseClient(port: number, resume: boolean, onTick: (tick: Tick) => void): StreamClient {
  let lastEventId: string | undefined
  let current: ClientRequest | undefined
  let closed = false
  let unexpectedReconnects = 0

  const connect = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'text/event-stream' }
      if (resume && lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId
      const req = request({ host: '127.0.0.1', port, path: '/events', headers, agent: false })
      current = req
      req.on('error', (error) => {
        if (current === req) reject(error)
      })
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET /events answered ${res.statusCode}`))
          res.resume()
          return
        }
        resolve()
        res.setEncoding('utf8')
        let buffered = ''
        let event = 'message'
        let data = ''
        res.on('data', (chunk: string) => {
          buffered += chunk
          let newline = buffered.indexOf('\n')
          while (newline >= 0) {
            const line = buffered.slice(0, newline)
            buffered = buffered.slice(newline + 1)
            newline = buffered.indexOf('\n')
            if (line === '') {
              if (event === eventType && data !== '') onTick(JSON.parse(data) as Tick)
              event = 'message'
              data = ''
            } else if (line.startsWith('data:')) data += line.slice(line.charAt(5) === ' ' ? 6 : 5)
            else if (line.startsWith('event:')) event = line.slice(line.charAt(6) === ' ' ? 7 : 6)
            else if (line.startsWith('id:')) lastEventId = line.slice(line.charAt(3) === ' ' ? 4 : 3)
          }
        })
        res.on('close', () => {
          if (current !== req || closed) return
          unexpectedReconnects += 1
          setTimeout(() => {
            if (current === req && !closed) connect().catch(() => undefined)
          }, reconnectDelayMs)
        })
      })
      req.end()
    })

  return {
    open: connect,
    drop() {
      const req = current
      current = undefined
      req?.destroy()
    },
    close() {
      closed = true
      current?.destroy()
    },
    get unexpectedReconnects() {
      return unexpectedReconnects
    },
  }
}
