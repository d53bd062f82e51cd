import type { ChildProcess } from 'node:child_process'

const live = new Set<ChildProcess>()
let hooked = false

/**
 * Remembers a spawned server so that, should its owner forget `stop()`, it is SIGKILLed when this
 * Node process exits instead of outliving the test run.
 */
export function trackChild(child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
  if (hooked) return
  hooked = true
  process.once('exit', () => {
    for (const each of live) each.kill('SIGKILL')
  })
}
