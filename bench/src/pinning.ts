import { execFileSync } from 'node:child_process'
import { availableParallelism } from 'node:os'

/**
 * Where each process of a run is allowed to run. The app under test gets a core of its own; the
 * runner, redis-server, upstash-local (in the runner) and the load generator share the others.
 */
export interface Pinning {
  /** 'taskset': pinned as described; 'none': every process shares every core (see `reason`). */
  mode: 'taskset' | 'none'
  /** taskset CPU list for the app under test, e.g. "0". */
  appCpus: string
  /** taskset CPU list for everything else, e.g. "1". */
  otherCpus: string
  /** Why the run is not pinned, when it is not. */
  reason?: string
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** App on core 0, the rest on cores 1… (taskset where it exists and there are two cores or more). */
export function planPinning(): Pinning {
  const cores = availableParallelism()
  const appCpus = '0'
  const otherCpus = cores > 2 ? `1-${cores - 1}` : '1'
  if (cores < 2) return { mode: 'none', appCpus, otherCpus, reason: 'one core only' }
  if (!hasTaskset()) return { mode: 'none', appCpus, otherCpus, reason: 'taskset not found (util-linux)' }
  return { mode: 'taskset', appCpus, otherCpus }
}

/** Moves every thread of a running process onto `cpus`; its later threads and children inherit it. */
export function pinProcess(pinning: Pinning, pid: number, cpus: string): void {
  if (pinning.mode !== 'taskset') return
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' })
}

/** The command line that starts `command` on `cpus` (taskset execs it, so the pid stays the same). */
export function pinnedCommand(pinning: Pinning, cpus: string, command: string, args: readonly string[]): [string, string[]] {
  return pinning.mode === 'taskset' ? ['taskset', ['-c', cpus, command, ...args]] : [command, [...args]]
}
