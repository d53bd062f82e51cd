import type { OptionReader } from './options.js'

/** The hook options every rediware package takes, with the same meaning everywhere. */
export interface HookOptions<E> {
  /** Called once per outage (the first failure after a healthy period), with the error. Default: `warn`. */
  onError?: (error: Error) => void
  /** Called for each thing that happened (a hit, a limited request, a job finished, …). Default: nothing. */
  onEvent?: (event: E) => void
  /** Where one-time warnings (misconfiguration, fallbacks) go. Default `console.warn`. */
  warn?: (message: string) => void
}

/**
 * The resolved hooks of one middleware instance. Every call is safe: a hook that throws is ignored,
 * so a broken logger never turns into a failed request or an unhandled rejection.
 */
export interface Hooks<E> {
  error(error: unknown): void
  event(event: E): void
  /** Whether anyone listens to events (lets hot paths skip building them). */
  readonly listening: boolean
  /** Warns once per `code` for this instance. */
  warnOnce(code: string, message: string): void
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

function safely<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
  try {
    fn(...args)
  } catch {
    // A throwing hook must not fail the operation that reported.
  }
}

/**
 * Reads `onError`, `onEvent` and `warn` from `options`. Without `onError`, outages are logged through
 * `warn` as `[<scope>] <describe(error)>`.
 */
export function resolveHooks<E>(
  reader: OptionReader,
  options: HookOptions<E>,
  describeOutage: (error: Error) => string = (error) => `Redis is failing (${error.message}).`,
): Hooks<E> {
  const warn = reader.fn<(message: string) => void>(options.warn, 'warn', '(message) => void') ?? console.warn
  const onError =
    reader.fn<(error: Error) => void>(options.onError, 'onError', '(error) => void') ??
    ((error: Error) => warn(`[${reader.scope}] ${describeOutage(error)}`))
  const onEvent = reader.fn<(event: E) => void>(options.onEvent, 'onEvent', '(event) => void')
  const warned = new Set<string>()
  return {
    error: (error) => safely(onError, asError(error)),
    event: onEvent ? (event) => safely(onEvent, event) : () => undefined,
    listening: onEvent !== undefined,
    warnOnce: (code, message) => {
      if (warned.has(code)) return
      warned.add(code)
      safely(warn, message)
    },
  }
}
