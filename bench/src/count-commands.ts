import { Redis } from 'ioredis'

const marker = `bench-count-end-${process.pid}`

/**
 * Counts the commands clients send to Redis while `work` runs, watching MONITOR. Commands that
 * scripts run inside Redis (source `lua`) are not counted: one EVALSHA is one command.
 */
export async function countClientCommands(redisUrl: string, work: () => Promise<void>): Promise<number> {
  const watcher = new Redis(redisUrl)
  const signaller = new Redis(redisUrl)
  const monitor = await watcher.monitor()
  let count = 0
  let resolveEnd: () => void = () => undefined
  const ended = new Promise<void>((resolve) => {
    resolveEnd = resolve
  })
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolveEnd()
    else if (source !== 'lua') count += 1
  })
  try {
    await work()
    await signaller.echo(marker)
    await ended
    return count
  } finally {
    monitor.disconnect()
    watcher.disconnect()
    signaller.disconnect()
  }
}
