import type { QueueCore } from './core.js'
import { QueueError } from './errors.js'
import type { Outcome, RunningJob } from './running-job.js'
import type { RecoveredJob } from './scripts/take.js'

/** Jobs whose lease had run out, recovered by a `take` (retried or failed): to the hooks and the live events. */
export function reportStalled(core: QueueCore, recovered: readonly RecoveredJob[]): void {
  const hooks = core.options.hooks
  for (const job of recovered) core.live.emit('stalled', job.id, job.attempt, { willRetry: job.willRetry })
  if (!hooks.listening) return
  for (const job of recovered) {
    hooks.event({ type: 'stalled', queue: core.name, id: job.id, attempt: job.attempt, willRetry: job.willRetry })
  }
}

/** A finished attempt that the `take` script settled as completed. */
export function reportCompleted(core: QueueCore, running: RunningJob): void {
  core.live.emit('completed', running.id, running.attempt)
  core.options.hooks.event({
    type: 'completed',
    queue: core.name,
    id: running.id,
    attempt: running.attempt,
    durationMs: Date.now() - running.startedAt,
  })
}

/** A finished attempt that the `take` script settled as failed, to be retried or not. */
export function reportFailed(core: QueueCore, running: RunningJob, outcome: Outcome, willRetry: boolean): void {
  const error = outcome.error ?? outcome.value
  core.live.emit('failed', running.id, running.attempt, { error, willRetry })
  core.options.hooks.event({
    type: 'failed',
    queue: core.name,
    id: running.id,
    attempt: running.attempt,
    error,
    willRetry,
  })
}

/** The job was no longer this worker's: its lease was taken back while it ran. */
export function reportLeaseLost(core: QueueCore, running: RunningJob): void {
  core.options.hooks.event({ type: 'lease-lost', queue: core.name, id: running.id, attempt: running.attempt })
}

/** Why a running job's signal aborts: its lease was lost while it ran or when it settled. */
export const leaseLost = (id: string, when: 'renewing' | 'settling'): QueueError =>
  new QueueError(
    'ERR_LEASE_LOST',
    when === 'renewing'
      ? `@rediware/queue: the lease on job "${id}" was lost (it stalled, or was removed).`
      : `@rediware/queue: job "${id}" was no longer this worker's when it finished.`,
  )

export const givenBackOnClose = (id: string): QueueError =>
  new QueueError(
    'ERR_WORKER_CLOSED',
    `@rediware/queue: the worker closed before job "${id}" finished; it was given back.`,
  )
