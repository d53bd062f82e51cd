import { readFileSync } from 'node:fs'
import { Redis } from 'ioredis'

/** Linux reports a process's CPU time in clock ticks; 100 per second on every kernel we run on. */
const TICKS_PER_SECOND = 100

/** CPU time (user + system) a process has used so far, in microseconds, from `/proc/<pid>/stat`. */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1_000_000) / TICKS_PER_SECOND
}

/** CPU time (user + system) the Redis server has used so far, in microseconds, from `INFO cpu`. */
export async function redisCpuMicros(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl)
  try {
    const info = await redis.info('cpu')
    const seconds = (name: string): number =>
      Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN)
    return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1_000_000
  } finally {
    redis.disconnect()
  }
}

/**
 * This process's CPU time (user + system) per call, in microseconds, while `total` calls of `run`
 * go through `inFlight` at a time (each worker starts its next call when the last one settled).
 */
export async function ownCpuMicrosPerCall(
  total: number,
  inFlight: number,
  run: () => Promise<unknown>,
): Promise<number> {
  let started = 0
  const worker = async () => {
    while (started < total) {
      started += 1
      await run()
    }
  }
  const before = process.cpuUsage()
  await Promise.all(Array.from({ length: inFlight }, worker))
  const used = process.cpuUsage(before)
  return (used.user + used.system) / total
}
