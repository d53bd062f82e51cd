import { openStream, type SseStream } from '@rediware/test-utils'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A browser's EventSource, as the chaos run needs it: reads `/events`, and whenever the stream ends
 * or fails, reconnects (to the next app process in the list) with its Last-Event-ID after a short
 * jittered wait. Keeps every `tick` sequence number in the order received.
 */
export class ResumingReader {
  readonly received: number[] = []
  resets = 0
  connections = 0
  #lastEventId = ''
  #stream: SseStream | undefined
  #stopped = false
  readonly #loop: Promise<void>

  constructor(urls: () => readonly string[], index: number) {
    this.#loop = this.#run(urls, index)
  }

  /** The stream position is known: events published from now on reach this reader. */
  get positioned(): boolean {
    return this.#lastEventId !== '' || (this.#stream?.lastEventId ?? '') !== ''
  }

  async #run(urls: () => readonly string[], index: number): Promise<void> {
    let turn = index
    while (!this.#stopped) {
      const list = urls()
      const url = list[turn++ % list.length]
      try {
        if (url === undefined) throw new Error('no app process')
        const stream = await openStream(
          `${url}/events`,
          this.#lastEventId === '' ? {} : { lastEventId: this.#lastEventId },
        )
        this.#stream = stream
        if (stream.status === 200) {
          this.connections += 1
          let taken = 0
          while (!stream.ended && !this.#stopped) {
            taken = this.#take(stream, taken)
            await sleep(20)
          }
          this.#take(stream, taken)
        }
        stream.close()
        if (stream.lastEventId !== '') this.#lastEventId = stream.lastEventId
      } catch {
        // refused or reset: the next process, after the wait
      }
      await sleep(100 + Math.random() * 200)
    }
  }

  #take(stream: SseStream, from: number): number {
    for (const event of stream.events.slice(from)) {
      if (event.event === 'reset') this.resets += 1
      if (event.event === 'tick') this.received.push((JSON.parse(event.data) as { seq: number }).seq)
    }
    if (stream.lastEventId !== '') this.#lastEventId = stream.lastEventId
    return stream.events.length
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#stream?.close()
    await this.#loop
  }
}
