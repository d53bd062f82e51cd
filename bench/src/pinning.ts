import { execFileSync } from 'node:child_process'

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

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  return list
    .trim()
    .split(',')
    .filter((part) => part !== '')
    .flatMap((part) => {
      const [from, to] = part.split('-').map(Number)
      if (from === undefined || !Number.isInteger(from)) return []
      const last = to === undefined ? from : to
      return Array.from({ length: last - from + 1 }, (_, index) => from + index)
    })
}

/** The CPUs this process may run on, from taskset; undefined when taskset is missing. */
function allowedCpus(): number[] | undefined {
  try {
    const output = execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' })
    return parseCpuList(output.slice(output.lastIndexOf(':') + 1))
  } catch {
    return undefined
  }
}

/**
 * The first CPU this process may use for the app, the others for everything else (taskset where
 * it exists and two CPUs or more are allowed). Without taskset, nothing is pinned.
 */
export function planPinning(): Pinning {
  const cpus = allowedCpus()
  if (cpus === undefined) return { mode: 'none', appCpus: '', otherCpus: '', reason: 'taskset not found (util-linux)' }
  const [app, ...others] = cpus
  if (app === undefined || others.length === 0)
    return { mode: 'none', appCpus: '', otherCpus: '', reason: 'one CPU only' }
  return { mode: 'taskset', appCpus: String(app), otherCpus: others.join(',') }
}

/** Moves every thread of a running process onto `cpus`; its later threads and children inherit it. */
export function pinProcess(pinning: Pinning, pid: number, cpus: string): void {
  if (pinning.mode !== 'taskset') return
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' })
}

/** The command line that starts `command` on `cpus` (taskset execs it, so the pid stays the same). */
export function pinnedCommand(
  pinning: Pinning,
  cpus: string,
  command: string,
  args: readonly string[],
): [string, string[]] {
  return pinning.mode === 'taskset' ? ['taskset', ['-c', cpus, command, ...args]] : [command, [...args]]
}
