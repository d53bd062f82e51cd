import type { Deadline } from './deadline.js'
import type { Command, Reply } from './types.js'
import type { ServerReplyError } from './transport.js'

/** A command on its way out, with the deadline of its call (nothing of it is written once that settles). */
export interface Outgoing {
  readonly command: Command<unknown>
  readonly deadline: Deadline
}

interface Waiting extends Outgoing {
  resolve(reply: Reply): void
  reject(error: unknown): void
}

/**
 * Runs `write` with the socket's writes held back, so everything it writes leaves in one write;
 * false (nothing run) when the connection offers no way to do that.
 */
export type WriteTogether = (write: () => void) => boolean

/**
 * Collects the commands issued during one turn of the event loop (across concurrent requests) and
 * sends them together, so they leave in one socket write instead of one write each. The turn's first
 * command is not held back (the server starts on it at once); the others leave at its end, each through
 * `flushOne` inside `together` when the transport can hold its writes back, else through
 * `flushMany` (a pipeline). A lone command goes through `flushOne` unchanged. Each command keeps its
 * own reply or error.
 */
export class WriteCoalescer {
  readonly #flushOne: (command: Command<unknown>, deadline: Deadline) => Promise<Reply>
  readonly #flushMany: (commands: readonly Outgoing[]) => Promise<(Reply | ServerReplyError)[]>
  readonly #together: WriteTogether | undefined
  #waiting: Waiting[] = []
  #scheduled = false

  constructor(
    flushOne: (command: Command<unknown>, deadline: Deadline) => Promise<Reply>,
    flushMany: (commands: readonly Outgoing[]) => Promise<(Reply | ServerReplyError)[]>,
    together?: WriteTogether,
  ) {
    this.#flushOne = flushOne
    this.#flushMany = flushMany
    this.#together = together
  }

  send(command: Command<unknown>, deadline: Deadline): Promise<Reply> {
    if (!this.#scheduled) {
      // The first command of a turn leaves at once, so the server works on it while this process
      // handles the rest of the turn; the ones after it wait for the end of the turn.
      this.#scheduled = true
      setImmediate(this.#flush)
      return this.#flushOne(command, deadline)
    }
    return new Promise<Reply>((resolve, reject) => {
      this.#waiting.push({ command, deadline, resolve, reject })
    })
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    const batch = this.#waiting
    if (batch.length === 0) return
    this.#waiting = []
    const [only] = batch
    if (batch.length === 1 && only) {
      this.#flushOne(only.command, only.deadline).then(only.resolve, only.reject)
      return
    }
    const sentTogether = this.#together?.(() => {
      for (const waiting of batch) {
        this.#flushOne(waiting.command, waiting.deadline).then(waiting.resolve, waiting.reject)
      }
    })
    if (sentTogether) return
    this.#flushMany(batch).then(
      (replies) => {
        batch.forEach((waiting, index) => {
          const reply = replies[index]
          if (reply instanceof Error) waiting.reject(reply)
          else waiting.resolve(reply ?? null)
        })
      },
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error)
      },
    )
  }
}
