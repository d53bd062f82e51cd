/**
 * One SSE frame as text and as the bytes written for it, encoded on first use and shared by every
 * stream it goes to: an event reaching a thousand browsers is encoded once, not a thousand times.
 */
export class WireFrame {
  readonly text: string
  #bytes: Buffer | undefined
  #chunk: Buffer | undefined

  constructor(text: string) {
    this.text = text
  }

  /** The frame in UTF-8. */
  get bytes(): Buffer {
    this.#bytes ??= Buffer.from(this.text)
    return this.#bytes
  }

  /** The frame as one HTTP/1.1 chunk of a `Transfer-Encoding: chunked` body: size in hex, CRLF, bytes, CRLF. */
  get chunk(): Buffer {
    if (this.#chunk === undefined) {
      const bytes = this.bytes
      const size = `${bytes.length.toString(16)}\r\n`
      const chunk = Buffer.allocUnsafe(size.length + bytes.length + 2)
      chunk.write(size, 0, 'latin1')
      bytes.copy(chunk, size.length)
      chunk.write('\r\n', size.length + bytes.length, 'latin1')
      this.#chunk = chunk
    }
    return this.#chunk
  }
}
