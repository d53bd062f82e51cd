// What every chaos child process (app or worker) sets up before its own work.
import { createClient, type RedisClient } from '@rediware/redis'

export type ProcessFailure = 'unhandledRejection' | 'uncaughtException'

export const describeError = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error)

/**
 * Hands every unhandled rejection and uncaught exception to `report`, crashes after an uncaught
 * exception as Node would (the process is in an unknown state), and exits when the runner goes
 * away (its IPC channel closes), so a runner that dies leaves no child behind.
 */
export function reportFailuresToRunner(report: (failure: ProcessFailure, detail: string) => void): void {
  process.on('unhandledRejection', (reason) => report('unhandledRejection', describeError(reason)))
  process.on('uncaughtException', (error) => {
    report('uncaughtException', describeError(error))
    setImmediate(() => process.exit(70))
  })
  process.on('disconnect', () => process.exit(0))
}

/** The backend named by the environment, with the run's `CHAOS_REDIS_TIMEOUT` (ms) when set. */
export function chaosRedisClient(): RedisClient {
  const timeout = Number(process.env.CHAOS_REDIS_TIMEOUT ?? 0)
  return createClient(process.env, timeout > 0 ? { timeout } : {})
}
