import { CodedError } from '@rediware/redis'

export type QueueErrorCode =
  /** Redis could not be reached or did not answer in time; nothing was written (or it is unknown whether it was). */
  | 'ERR_QUEUE_UNAVAILABLE'
  /** The queue or worker was closed. */
  | 'ERR_QUEUE_CLOSED'
  /** An attempt ran past its `timeout`. */
  | 'ERR_JOB_TIMEOUT'
  /** The worker's lease on the job was taken back (it stalled) or the job was removed. */
  | 'ERR_LEASE_LOST'
  /** The worker closed before the handler finished; the job was given back. */
  | 'ERR_WORKER_CLOSED'
  /** Job events could not be published to the realtime hub (`events`); jobs are not affected. */
  | 'ERR_EVENTS_UNAVAILABLE'

/** Every error the queue raises or passes to `job.signal`, with a `code` to branch on. */
export class QueueError extends CodedError<QueueErrorCode> {
  override readonly name = 'QueueError'
}

/** Throw it from a handler to fail the job at once, without the attempts it has left. */
export class UnrecoverableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'UnrecoverableError'
  }
}

const MAX_ERROR_LENGTH = 4096

/** What a failed attempt stores: `Name: message` and the top of the stack, bounded. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const head = `${error.name}: ${error.message}`
    const stack = error.stack?.split('\n').slice(1, 8).join('\n') ?? ''
    return (stack ? `${head}\n${stack}` : head).slice(0, MAX_ERROR_LENGTH)
  }
  let text: string
  try {
    text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error))
  } catch {
    text = String(error)
  }
  return `Non-error thrown: ${text}`.slice(0, MAX_ERROR_LENGTH)
}

export const unavailable = (queue: string, action: string, cause: unknown): QueueError =>
  new QueueError(
    'ERR_QUEUE_UNAVAILABLE',
    `@rediware/queue: could not ${action} on queue "${queue}": ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause },
  )
