/** The five states a job moves through. */
export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed'

export const jobStates: readonly JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed']

export type BackoffType = 'fixed' | 'exponential'

/**
 * What `add` stores as the start of a job's record: the job's options, resolved. Absent fields are
 * omitted (Lua's cjson has no `undefined`, and `null` would decode to a sentinel).
 */
export interface JobTemplate {
  attempts: number
  backoffType?: BackoffType
  backoffDelay?: number
  /** Fraction of each backoff delay taken off at random (0–1). */
  jitter?: number
  backoffMax?: number
  /** Per-attempt time limit, ms (0 or absent: none). */
  timeout?: number
  priority?: number
  /** Set for jobs made by a schedule. */
  name?: string
  /** Delay before the job is due, ms; consumed by `add`. */
  delay?: number
}

/** A job's record as the scripts keep it in the `jobs` hash (JSON). */
export interface StoredJob extends Omit<JobTemplate, 'delay'> {
  state: JobState
  /** Attempts started so far. */
  attempt: number
  addedAt: number
  /** When a delayed job is due. */
  runAt?: number
  startedAt?: number
  finishedAt?: number
  /** Fencing token of the current lease (active jobs only). */
  lease?: number
  /** Lease token of the last settled attempt, so a retried settle is recognised. */
  settled?: number
  /** Id of the worker holding the lease. */
  worker?: string
  /** JSON of the last `progress()` value. */
  progress?: string
  /** JSON of the handler's result (completed jobs). */
  result?: string
  /** The last attempt's error. */
  error?: string
  /** Times the job's lease expired while it ran. */
  stalls?: number
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

/** Parses a record read from Redis; `undefined` for a value that is not one (corrupt or foreign data). */
export function parseStoredJob(raw: string | null | undefined): StoredJob | undefined {
  if (raw === null || raw === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (!isObject(value) || typeof value.state !== 'string' || !jobStates.includes(value.state as JobState))
    return undefined
  if (typeof value.attempt !== 'number' || typeof value.addedAt !== 'number') return undefined
  return value as unknown as StoredJob
}
