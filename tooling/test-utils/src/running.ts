/** What the global setup started, kept on globalThis for the global teardown (same jest process). */
export interface RunningServices {
  /** Stop functions, run in reverse order by the teardown. */
  stops: (() => Promise<void>)[]
}

const KEY = Symbol.for('rediware.test-utils.running')

type Holder = { [KEY]?: RunningServices }

export function setRunning(services: RunningServices): void {
  ;(globalThis as Holder)[KEY] = services
}

/** Returns and forgets the running services (so a second teardown is a no-op). */
export function takeRunning(): RunningServices | undefined {
  const holder = globalThis as Holder
  const services = holder[KEY]
  delete holder[KEY]
  return services
}
