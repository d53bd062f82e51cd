import { request, type IncomingHttpHeaders } from 'node:http'
import { createGunzip } from 'node:zlib'
import { waitFor } from './wait-for.js'

/** One dispatched SSE event, as an EventSource would see it (plus what else arrived). */
export interface SseEvent {
  id: string
  event: string
  data: string
}

export interface SseStream {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  /** Dispatched events, in order. */
  readonly events: SseEvent[]
  /** The last event id, as EventSource keeps it (set by `id:` lines, even without data). */
  readonly lastEventId: string
  /** `retry:` values received. */
  readonly retries: number[]
  /** Comment lines received (heartbeats). */
  readonly comments: number
  readonly ended: boolean
  /** Events of the given type (default: every published one, i.e. not reset/reconnect). */
  of(type?: string): SseEvent[]
  /** Waits until `count` events matching `type` arrived. */
  until(count: number, type?: string, timeout?: number): Promise<SseEvent[]>
  untilEnded(timeout?: number): Promise<void>
  close(): void
}

const STREAM_TYPES = new Set(['reset', 'reconnect'])

/**
 * A minimal EventSource over node:http that keeps every frame for assertions. It parses the stream
 * as the WHATWG spec says (fields id, event, data, retry; comments; dispatch on a blank line).
 */
export function openStream(
  url: string,
  options: { lastEventId?: string; headers?: Record<string, string>; gzip?: boolean } = {},
): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = []
    const retries: number[] = []
    let comments = 0
    let lastEventId = ''
    let ended = false
    let pending = ''
    let buffer = { id: undefined as string | undefined, event: '', data: [] as string[] }
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers }
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId
    if (options.gzip) headers['accept-encoding'] = 'gzip'
    const req = request(url, { headers }, (res) => {
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res
      body.setEncoding('utf8')
      const line = (text: string) => {
        if (text === '') {
          if (buffer.id !== undefined) lastEventId = buffer.id
          if (buffer.data.length > 0)
            events.push({ id: lastEventId, event: buffer.event || 'message', data: buffer.data.join('\n') })
          buffer = { id: undefined, event: '', data: [] }
          return
        }
        if (text.startsWith(':')) {
          comments += 1
          return
        }
        const colon = text.indexOf(':')
        const field = colon === -1 ? text : text.slice(0, colon)
        let value = colon === -1 ? '' : text.slice(colon + 1)
        if (value.startsWith(' ')) value = value.slice(1)
        if (field === 'id') buffer.id = value
        else if (field === 'event') buffer.event = value
        else if (field === 'data') buffer.data.push(value)
        else if (field === 'retry' && /^\d+$/.test(value)) retries.push(Number(value))
      }
      body.on('data', (chunk: string) => {
        pending += chunk
        let newline = pending.search(/\r\n|\r|\n/)
        while (newline !== -1) {
          const separator = pending.startsWith('\r\n', newline) ? 2 : 1
          line(pending.slice(0, newline))
          pending = pending.slice(newline + separator)
          newline = pending.search(/\r\n|\r|\n/)
        }
      })
      const finish = () => {
        ended = true
      }
      res.on('end', finish)
      res.on('close', finish)
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        get lastEventId() {
          return lastEventId
        },
        retries,
        get comments() {
          return comments
        },
        get ended() {
          return ended
        },
        of: (type) =>
          events.filter((event) => (type === undefined ? !STREAM_TYPES.has(event.event) : event.event === type)),
        until: async (count, type, timeout = 10_000) => {
          await waitFor(() => stream.of(type).length >= count, {
            description: `${count} ${type ?? 'published'} event(s) on ${url} (have ${stream.of(type).length})`,
            timeout,
            interval: 5,
          })
          return stream.of(type)
        },
        untilEnded: (timeout = 10_000) =>
          waitFor(() => ended, { description: `the end of ${url}`, timeout, interval: 5 }),
        close: () => {
          req.destroy()
          ended = true
        },
      }
      resolve(stream)
    })
    req.on('error', (error) => {
      ended = true
      reject(error)
    })
    req.end()
  })
}
