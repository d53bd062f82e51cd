/** A decoded RESP2 reply. Error replies are thrown, never returned. */
export type RespValue = string | number | null | RespValue[]

export class RespError extends Error {
  override readonly name = 'RespError'
}

/** Encodes a command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts = [`*${args.length}\r\n`]
  for (const arg of args) {
    const text = String(arg)
    parts.push(`$${Buffer.byteLength(text)}\r\n${text}\r\n`)
  }
  return Buffer.from(parts.join(''))
}

interface Parsed {
  value: RespValue | RespError
  end: number
}

/**
 * Decodes one reply starting at `offset`; returns undefined while the buffer holds only part of it.
 * Enough of RESP2 for the harness (PING, CLIENT PAUSE, CLUSTER INFO/NODES/SLOTS).
 */
export function parseReply(buffer: Buffer, offset = 0): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset)
  if (lineEnd === -1) return undefined
  const type = String.fromCharCode(buffer[offset] ?? 0)
  const line = buffer.toString('utf8', offset + 1, lineEnd)
  const next = lineEnd + 2
  switch (type) {
    case '+':
      return { value: line, end: next }
    case '-':
      return { value: new RespError(line), end: next }
    case ':':
      return { value: Number(line), end: next }
    case '$': {
      const length = Number(line)
      if (length < 0) return { value: null, end: next }
      if (buffer.length < next + length + 2) return undefined
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 }
    }
    case '*': {
      const count = Number(line)
      if (count < 0) return { value: null, end: next }
      const items: RespValue[] = []
      let position = next
      for (let index = 0; index < count; index++) {
        const item = parseReply(buffer, position)
        if (item === undefined) return undefined
        if (item.value instanceof RespError) return item
        items.push(item.value)
        position = item.end
      }
      return { value: items, end: position }
    }
    default:
      return { value: new RespError(`Unexpected RESP type byte ${JSON.stringify(type)}`), end: next }
  }
}
