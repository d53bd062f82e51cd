import { hashKeyPart, warnOnce } from '@rediware/redis'
import type { SessionStoreEvent } from './options.js'

export const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)))

/** The error a session or index key holding another Redis type is reported with. */
export const wrongTypeSession = (): Error =>
  new TypeError('the session key held another Redis type than a string (a hash, list, set…); it was deleted')

/** Where store events go without `onEvent`: outages and corrupt data logged once each. */
export function defaultReport(event: SessionStoreEvent): void {
  switch (event.type) {
    case 'store-unavailable':
      console.warn(
        `@rediware/session: Redis is unavailable (${event.error.message}); session requests fail until it is back.`,
      )
      return
    case 'store-recovered':
      console.warn('@rediware/session: Redis is reachable again.')
      return
    case 'corrupt-session':
      console.warn(`@rediware/session: removed an unreadable session (id hash ${event.idHash}): ${event.error.message}`)
      return
    case 'background-error':
      console.warn(`@rediware/session: ${event.operation} failed: ${event.error.message}`)
      return
    case 'config-warning':
      warnOnce(`rediware-session:${event.message}`, `@rediware/session: ${event.message}`)
      return
    default:
      return
  }
}

/** Sends store events to `onEvent` (or the default log); a throwing reporter never breaks a request. */
export class StoreEvents {
  readonly #sink: (event: SessionStoreEvent) => void

  constructor(onEvent: ((event: SessionStoreEvent) => void) | undefined) {
    this.#sink = onEvent ?? defaultReport
  }

  report(event: SessionStoreEvent): void {
    try {
      this.#sink(event)
    } catch {
      // a throwing reporter must not break requests
    }
  }

  corrupt(member: string, error: unknown): void {
    this.report({ type: 'corrupt-session', idHash: hashKeyPart(member), error: asError(error) })
  }

  background(operation: string, error: unknown): void {
    this.report({ type: 'background-error', operation, error: asError(error) })
  }

  refused(member: string, reason: 'destroyed' | 'expired' | 'exists'): void {
    this.report({ type: 'write-refused', idHash: hashKeyPart(member), reason })
  }
}
