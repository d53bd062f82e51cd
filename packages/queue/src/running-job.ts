import { describeFailure, QueueError, UnrecoverableError } from './errors.js'
import type { Shard } from './keys.js'
import type { ClaimedJob } from './scripts/take.js'
import type { Job, JobHandler } from './types.js'

/** How one attempt ended, as the `take` script settles it. */
export type Outcome = { outcome: 'c' | 'f' | 'x'; value: string; error?: string }

/** One claimed job in this worker: its lease, its handler's run, its abort signal. */
export class RunningJob {
  readonly id: string
  readonly token: string
  readonly attempt: number
  readonly shard: Shard
  readonly startedAt = Date.now()
  readonly controller = new AbortController()
  /** Progress (JSON) not yet sent with a renewal; '' when none. */
  pendingProgress = ''
  /** The lease was taken back or given back: nothing this worker does can settle the job now. */
  lost = false
  /** The handler has returned or thrown (the job may still be settling). */
  handlerDone = false
  /** A settle call is in flight: a renewal that finds the job gone may just have raced it. */
  settling = false

  constructor(claimed: ClaimedJob, shard: Shard) {
    this.id = claimed.id
    this.token = claimed.token
    this.attempt = claimed.attempt
    this.shard = shard
  }

  /** Aborts the handler's signal (once) with `error`. */
  abort(error: QueueError): void {
    if (!this.controller.signal.aborted) this.controller.abort(error)
  }
}

function serialize(result: unknown): string {
  try {
    return JSON.stringify(result) ?? 'null'
  } catch {
    return 'null'
  }
}

/**
 * Runs the handler for one claimed job and resolves to its outcome: completed with the result, or
 * failed with the error (for good when it threw `UnrecoverableError` or its data is not JSON). An
 * attempt past its `timeout` fails at the timeout, whether or not the handler stops.
 */
export function runHandler<T>(
  claimed: ClaimedJob,
  running: RunningJob,
  queue: string,
  handler: JobHandler<T>,
  progress: (value: unknown) => Promise<void>,
): Promise<Outcome> {
  let data: T
  try {
    data = JSON.parse(claimed.payload) as T
  } catch (error) {
    return Promise.resolve({ outcome: 'x', value: `The job's data is not JSON: ${describeFailure(error)}` })
  }
  const job: Job<T> = {
    id: claimed.id,
    data,
    attempt: claimed.attempt,
    attempts: claimed.attempts,
    name: claimed.name === '' ? undefined : claimed.name,
    queue,
    signal: running.controller.signal,
    progress,
  }
  const attempt = new Promise<Outcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const finish = (outcome: Outcome) => {
      if (timer) clearTimeout(timer)
      resolve(outcome)
    }
    if (claimed.timeout > 0) {
      timer = setTimeout(() => {
        const error = new QueueError(
          'ERR_JOB_TIMEOUT',
          `@rediware/queue: job "${claimed.id}" timed out after ${claimed.timeout} ms (attempt ${claimed.attempt}).`,
        )
        running.abort(error)
        finish({ outcome: 'f', value: describeFailure(error), error: error.message })
      }, claimed.timeout)
    }
    Promise.resolve()
      .then(() => handler(job))
      .then(
        (result) => finish({ outcome: 'c', value: serialize(result) }),
        (error: unknown) =>
          finish({
            outcome: error instanceof UnrecoverableError ? 'x' : 'f',
            value: describeFailure(error),
            error: error instanceof Error ? error.message : String(error),
          }),
      )
  })
  return attempt.then((outcome) => {
    running.handlerDone = true
    return outcome
  })
}
