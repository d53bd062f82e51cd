import { connect, type Socket } from 'node:net'
import { describeBackends, describeExpress, waitFor } from '@rediware/test-utils'
import type { RequestHandler, Response } from 'express'
import { type App, realtimePair, startApp } from './helpers.js'

/** A raw TCP client: what the server sent, byte for byte, including its framing. */
async function rawRequest(
  url: string,
  request: string,
): Promise<{ received: () => string; ended: () => boolean; socket: Socket }> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  let received = Buffer.alloc(0)
  let ended = false
  socket.on('data', (data: Buffer) => {
    received = Buffer.concat([received, data])
  })
  socket.on('close', () => {
    ended = true
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  socket.write(request)
  return { received: () => received.toString('latin1'), ended: () => ended, socket }
}

/** The chunks of a `Transfer-Encoding: chunked` body; throws on any malformed size line or missing CRLF. */
function chunksOf(body: string): { chunks: string[]; terminated: boolean } {
  const chunks: string[] = []
  let at = 0
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at)
    if (lineEnd === -1) break
    const sizeLine = body.slice(at, lineEnd)
    if (!/^[0-9a-f]+$/.test(sizeLine)) throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)}`)
    const size = Number.parseInt(sizeLine, 16)
    if (size === 0) return { chunks, terminated: body.slice(lineEnd + 2, lineEnd + 4) === '\r\n' }
    const data = body.slice(lineEnd + 2, lineEnd + 2 + size)
    if (data.length < size) break
    if (body.slice(lineEnd + 2 + size, lineEnd + 4 + size) !== '\r\n')
      throw new Error(`chunk of ${size} not ended by CRLF`)
    chunks.push(Buffer.from(data, 'latin1').toString('utf8'))
    at = lineEnd + 4 + size
  }
  return { chunks, terminated: false }
}

const headEnd = (text: string): number => text.indexOf('\r\n\r\n') + 4
const countOf = (text: string, needle: string): number => text.split(needle).length - 1

// What reaches the client byte for byte, whichever way the frames leave the process (straight to the
// connection, or through `res.write()` when something wraps it or the body is not chunked).
describeBackends('realtime on the wire', (backend) => {
  describeExpress('SSE', (createApp) => {
    let pair: ReturnType<typeof realtimePair>
    let app: App | undefined
    const sockets: Socket[] = []
    const open = async (request: string, before: RequestHandler[] = []) => {
      app = await startApp(createApp, pair.a, { channels: ['wire'] }, before)
      const raw = await rawRequest(app.url, request)
      sockets.push(raw.socket)
      // Live once the position frame (an id without data) arrived.
      await waitFor(() => /id: \d+-\d+\n\n/.test(raw.received()), { description: 'the stream position', interval: 5 })
      return raw
    }
    const publishThree = async () => {
      for (const n of [1, 2, 3]) await pair.a.publish('wire', { type: 'n', data: { n, text: 'é' } })
    }

    beforeEach(() => {
      pair = realtimePair(backend, { heartbeat: 60_000 })
    })

    afterEach(async () => {
      for (const socket of sockets.splice(0)) socket.destroy()
      await app?.close()
      app = undefined
      await pair.close()
    })

    it('sends each frame as a well-formed chunk of a chunked HTTP/1.1 body, ended by the last chunk', async () => {
      const raw = await open('GET /events HTTP/1.1\r\nHost: test\r\n\r\n')
      await publishThree()
      await waitFor(() => countOf(raw.received(), 'event: n') === 3, { description: 'three events', interval: 5 })
      await app?.rt.close()
      await waitFor(() => chunksOf(raw.received().slice(headEnd(raw.received()))).terminated, {
        description: 'the last chunk',
        interval: 5,
      })
      const text = raw.received()
      expect(text.slice(0, headEnd(text)).toLowerCase()).toContain('transfer-encoding: chunked')
      const { chunks } = chunksOf(text.slice(headEnd(text)))
      const events = chunks.filter((chunk) => chunk.includes('event: n'))
      // One event per chunk, each a whole SSE frame.
      expect(events).toHaveLength(3)
      expect(events.map((chunk) => JSON.parse(/data: (.*)\n/.exec(chunk)?.[1] ?? 'null'))).toEqual(
        [1, 2, 3].map((n) => ({ n, text: 'é' })),
      )
      for (const chunk of chunks) expect(chunk.endsWith('\n\n')).toBe(true)
      expect(chunks.at(-1)).toContain('event: reconnect')
    })

    it('streams to an HTTP/1.0 client as a body that ends when the connection closes', async () => {
      const raw = await open('GET /events HTTP/1.0\r\nHost: test\r\n\r\n')
      await publishThree()
      await waitFor(() => countOf(raw.received(), 'event: n') === 3, { description: 'three events', interval: 5 })
      await app?.rt.close()
      await waitFor(raw.ended, { description: 'the end of the connection', interval: 5 })
      const text = raw.received()
      expect(text.slice(0, headEnd(text)).toLowerCase()).not.toContain('transfer-encoding')
      const body = text.slice(headEnd(text))
      expect(body).toMatch(/^retry: \d+\n\n/)
      expect(body).toContain('event: n\ndata: {"n":3,"text":"é"}\n\n'.replace('é', Buffer.from('é').toString('latin1')))
      expect(body.endsWith('event: reconnect\ndata: {"reason":"shutdown"}\n\n')).toBe(true)
    })

    it('writes through a middleware that wrapped res.write, which sees every frame', async () => {
      const seen: string[] = []
      const tap: RequestHandler = (_req, res, next) => {
        const write = res.write.bind(res) as (chunk: unknown) => boolean
        res.write = ((chunk: unknown) => {
          seen.push(String(chunk))
          return write(chunk)
        }) as Response['write']
        next()
      }
      const raw = await open('GET /events HTTP/1.1\r\nHost: test\r\n\r\n', [tap])
      await publishThree()
      await waitFor(() => countOf(raw.received(), 'event: n') === 3, { description: 'three events', interval: 5 })
      expect(seen.filter((chunk) => chunk.includes('event: n'))).toHaveLength(3)
      expect(chunksOf(raw.received().slice(headEnd(raw.received()))).chunks.join('')).toBe(seen.join(''))
    })

    it('streams a pipelined request after the response before it, in order', async () => {
      const slow: RequestHandler = (req, res, next) => {
        if (req.path !== '/slow') return next()
        setTimeout(() => res.type('text/plain').send('slow answer'), 100)
      }
      const raw = await open('GET /slow HTTP/1.1\r\nHost: test\r\n\r\nGET /events HTTP/1.1\r\nHost: test\r\n\r\n', [
        slow,
      ])
      await publishThree()
      await waitFor(() => countOf(raw.received(), 'event: n') === 3, { description: 'three events', interval: 5 })
      const text = raw.received()
      const second = text.indexOf('HTTP/1.1 200', 1)
      expect(text.slice(0, second)).toContain('slow answer')
      const stream = text.slice(second)
      const { chunks } = chunksOf(stream.slice(headEnd(stream)))
      expect(chunks.filter((chunk) => chunk.includes('event: n'))).toHaveLength(3)
    })
  })
})
