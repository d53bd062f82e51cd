import { Redis } from 'ioredis'

const startMarker = `bench-count-start-${process.pid}`
const endMarker = `bench-count-end-${process.pid}`

/**
 * Counts the commands clients send to Redis while `work` runs, watching MONITOR. Commands that
 * scripts run inside Redis (source `lua`) are not counted: one EVALSHA is one command. Only lines
 * between two ECHO markers count, so traffic still in flight when MONITOR starts is left out.
 */
export async function countClientCommands(redisUrl: string, work: () => Promise<void>): Promise<number> {
  const watcher = new Redis(redisUrl)
  const signaller = new Redis(redisUrl)
  const monitor = await watcher.monitor()
  // ioredis reports MONITOR lines that arrive while it is entering or leaving monitor mode (before
  // its status is 'monitoring', after `disconnect()`) as a "Command queue state error". Those lines
  // fall outside the markers, so they never matter; without a listener they would crash the run.
  monitor.on('error', () => undefined)
  let counting = false
  let count = 0
  let resolveStart: () => void = () => undefined
  let resolveEnd: () => void = () => undefined
  const started = new Promise<void>((resolve) => {
    resolveStart = resolve
  })
  const ended = new Promise<void>((resolve) => {
    resolveEnd = resolve
  })
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const isEcho = args[0]?.toLowerCase() === 'echo'
    if (isEcho && args[1] === startMarker) {
      counting = true
      resolveStart()
    } else if (isEcho && args[1] === endMarker) {
      counting = false
      resolveEnd()
    } else if (counting && source !== 'lua') count += 1
  })
  try {
    await signaller.echo(startMarker)
    await started
    await work()
    await signaller.echo(endMarker)
    await ended
    return count
  } finally {
    monitor.disconnect()
    watcher.disconnect()
    signaller.disconnect()
  }
}
