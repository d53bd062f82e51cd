import type { Redis } from 'ioredis'
import type { Access } from './auth.js'
import type { RedisCommand } from './command.js'
import { type ReadOnlyPolicy, refusal } from './commands-policy.js'
import type { RedisPool } from './pool.js'
import type { ScriptRegistry } from './script-flags.js'
import { asError, describeError, isReplyError } from './errors.js'

/** What happened to one command. `unavailable` means Redis could not be asked (→ 5xx). */
export type Outcome =
  | { kind: 'result'; reply: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'unavailable'; message: string }

export type TransactionOutcome = { kind: 'done'; items: Outcome[] } | Exclude<Outcome, { kind: 'result' }>


/** Runs commands against the pool, applying refusals, the read-only policy and script rewriting. */
export class Executor {
  constructor(
    private readonly pool: RedisPool,
    private readonly scripts: ScriptRegistry,
    private readonly readOnly: ReadOnlyPolicy,
  ) {}

  private unavailable(error: unknown): { kind: 'unavailable'; message: string } {
    const detail = describeError(error)
    const last = this.pool.lastError
    const cause = last !== undefined && last.message !== detail ? `; last connection error: ${last.message}` : ''
    return { kind: 'unavailable', message: `ERR upstash-local: Redis is unavailable (${detail}${cause})` }
  }

  /** Why the command may not run for this caller (an error outcome), else `undefined`. */
  async vet(command: RedisCommand, access: Access): Promise<Exclude<Outcome, { kind: 'result' }> | undefined> {
    const refused = refusal(command.name, command.args)
    if (refused !== undefined) return { kind: 'error', message: refused }
    if (access === 'read-write') return undefined
    try {
      const denied = await this.readOnly.check(command.name, command.args)
      return denied === undefined ? undefined : { kind: 'error', message: denied }
    } catch (error) {
      return this.unavailable(error)
    }
  }

  /** Sends one command on `connection` (not awaited by callers that pipeline). */
  private send(connection: Redis, command: RedisCommand): Promise<Outcome> {
    const prepared = this.scripts.prepare(command.upper, command.args)
    return connection.callBuffer(command.upper, ...prepared.args).then(
      (reply: unknown): Outcome => ({ kind: 'result', reply: prepared.mapReply ? prepared.mapReply(reply) : reply }),
      (error: unknown): Outcome => (isReplyError(error) ? { kind: 'error', message: describeError(error) } : this.unavailable(error)),
    )
  }

  async runOne(command: RedisCommand, access: Access): Promise<Outcome> {
    const refused = await this.vet(command, access)
    if (refused !== undefined) return refused
    try {
      return await this.send(this.pool.shared(), command)
    } catch (error) {
      return this.unavailable(error)
    }
  }

  /** Not atomic: every command runs, in order, on one connection; each gets its own outcome. */
  async runPipeline(commands: RedisCommand[], access: Access): Promise<Outcome[]> {
    const verdicts = await Promise.all(commands.map((command) => this.vet(command, access)))
    let connection: Redis
    try {
      connection = this.pool.shared()
    } catch (error) {
      return commands.map(() => this.unavailable(error))
    }
    return Promise.all(
      commands.map((command, index) => {
        const refused = verdicts[index]
        return refused ?? this.send(connection, command)
      }),
    )
  }

  /**
   * MULTI … EXEC on a connection nobody else uses meanwhile. A refused command or a queue-time error
   * discards the whole transaction (one error); runtime errors land in their own slot.
   */
  async runTransaction(commands: RedisCommand[], access: Access): Promise<TransactionOutcome> {
    const verdicts = await Promise.all(commands.map((command) => this.vet(command, access)))
    const unavailable = verdicts.find((verdict) => verdict?.kind === 'unavailable')
    const refused = unavailable ?? verdicts.find((verdict) => verdict !== undefined)
    if (refused !== undefined) return refused

    const lease = await this.pool.lease()
    const { connection } = lease
    try {
      const prepared = commands.map((command) => ({ command, ...this.scripts.prepare(command.upper, command.args) }))
      const multi = connection.callBuffer('MULTI')
      const queued = prepared.map(({ command, args }) => connection.callBuffer(command.upper, ...args))
      const exec = connection.callBuffer('EXEC')
      const settled = await Promise.allSettled([multi, ...queued, exec])
      const lost = settled.find((entry) => entry.status === 'rejected' && !isReplyError(entry.reason))
      if (lost !== undefined && lost.status === 'rejected') {
        // The connection's transaction state is unknown: reset it before anyone else uses it.
        connection.disconnect(true)
        return this.unavailable(lost.reason)
      }
      const execResult = settled[settled.length - 1]
      if (execResult === undefined || execResult.status === 'rejected') {
        return { kind: 'error', message: describeError(execResult?.reason) }
      }
      const replies: unknown = execResult.value
      if (!Array.isArray(replies)) {
        return { kind: 'error', message: 'EXECABORT Transaction discarded because of previous errors.' }
      }
      const items = prepared.map(({ mapReply }, index): Outcome => {
        const reply: unknown = replies[index]
        const error = asError(reply)
        if (error !== undefined) return { kind: 'error', message: error.message }
        return { kind: 'result', reply: mapReply ? mapReply(reply) : reply }
      })
      return { kind: 'done', items }
    } finally {
      lease.release()
    }
  }
}
