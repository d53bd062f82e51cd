import { createHash } from 'node:crypto'
import { isEventId } from './event-id.js'

/**
 * A stream's position in every channel it reads, as the SSE `id:` the browser sends back as
 * `Last-Event-ID`. One channel: the event id itself (`1712345678901-0`). Several: `<tag>:<id>`
 * pairs joined by `,`, where the tag is a short hash of the channel name, so a cursor survives a
 * change in the order or the set of channels.
 */
export const channelTag = (channel: string): string =>
  createHash('sha256').update(channel).digest('base64url').slice(0, 8)

/** Longest Last-Event-ID we read; longer ones (and malformed ones) mean "position unknown". */
export const MAX_CURSOR_LENGTH = 4096

export interface CursorPart {
  readonly tag: string
  readonly position: string | undefined
}

export function encodeCursor(parts: readonly CursorPart[]): string {
  if (parts.length === 1) return parts[0]?.position ?? ''
  let cursor = ''
  for (const { tag, position } of parts) {
    if (position === undefined) continue
    cursor += cursor === '' ? `${tag}:${position}` : `,${tag}:${position}`
  }
  return cursor
}

/**
 * Reads a Last-Event-ID against the stream's channel tags: the position of each channel it names.
 * `undefined` when there is none (a first connection); an empty map when it names none of them or
 * cannot be read (every channel then starts with a reset).
 */
export function decodeCursor(text: string | undefined, tags: readonly string[]): Map<string, string> | undefined {
  if (text === undefined || text === '') return undefined
  const positions = new Map<string, string>()
  if (text.length > MAX_CURSOR_LENGTH) return positions
  if (isEventId(text)) {
    if (tags.length === 1 && tags[0] !== undefined) positions.set(tags[0], text)
    return positions
  }
  for (const part of text.split(',')) {
    const colon = part.indexOf(':')
    const tag = part.slice(0, colon)
    const position = part.slice(colon + 1)
    if (colon > 0 && tags.includes(tag) && isEventId(position)) positions.set(tag, position)
  }
  return positions
}
