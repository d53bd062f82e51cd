import type { Redis } from 'ioredis'
import type { Access } from './auth.js'
import type { RedisCommand } from './command.js'
import type { CommandPolicy } from './command-policy.js'
import { type Plan, planCommand } from './emulation.js'
import type { RedisPool } from './pool.js'
import type { ScriptRegistry } from './script-flags.js'
import { asError, describeError, isReplyError } from './errors.js'

/** What happened to one command. `unavailable` means Redis could not be asked (→ 5xx). */
export type Outcome =
  | { kind: 'result'; reply: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'unavailable'; message: string }

export type TransactionOutcome = { kind: 'done'; items: Outcome[] } | Exclude<Outcome, { kind: 'result' }>

type SendPlan = Extract<Plan, { kind: 'send' }>

function errorOutcome(plan: SendPlan, message: string): Outcome {
  const mapped = plan.mapError?.(message)
  return mapped === undefined ? { kind: 'error', message } : { kind: 'result', reply: mapped }
}

function resultOutcome(plan: SendPlan, reply: unknown): Outcome {
  return { kind: 'result', reply: plan.mapReply ? plan.mapReply(reply) : reply }
}

/** Runs commands against the pool, applying the command policy, Upstash emulations and script rewriting. */
export class Executor {
  constructor(
    private readonly pool: RedisPool,
    private readonly scripts: ScriptRegistry,
    private readonly policy: CommandPolicy,
  ) {}

  private unavailable(error: unknown): { kind: 'unavailable'; message: string } {
    const detail = describeError(error)
    const last = this.pool.lastError
    const cause = last !== undefined && last.message !== detail ? `; last connection error: ${last.message}` : ''
    return { kind: 'unavailable', message: `ERR upstash-local: Redis is unavailable (${detail}${cause})` }
  }

  /** Why the command may not run for this caller (an error outcome), else `undefined`. */
  vet(command: RedisCommand, access: Access): Exclude<Outcome, { kind: 'result' }> | undefined {
    const refused = this.policy.check(command, access)
    return refused === undefined ? undefined : { kind: 'error', message: refused }
  }

  /** Sends one planned command on `connection` (not awaited by callers that pipeline). */
  private send(connection: Redis, plan: SendPlan): Promise<Outcome> {
    return connection.callBuffer(plan.name, ...plan.args).then(
      (reply: unknown): Outcome => resultOutcome(plan, reply),
      (error: unknown): Outcome =>
        isReplyError(error) ? errorOutcome(plan, describeError(error)) : this.unavailable(error),
    )
  }

  private run(connection: Redis, command: RedisCommand): Promise<Outcome> {
    const plan = planCommand(command, this.scripts)
    return plan.kind === 'local' ? Promise.resolve({ kind: 'result', reply: plan.reply }) : this.send(connection, plan)
  }

  async runOne(command: RedisCommand, access: Access): Promise<Outcome> {
    const refused = this.vet(command, access)
    if (refused !== undefined) return refused
    try {
      return await this.run(this.pool.shared(), command)
    } catch (error) {
      return this.unavailable(error)
    }
  }

  /** Not atomic: every command runs, in order, on one connection; each gets its own outcome. */
  async runPipeline(commands: RedisCommand[], access: Access): Promise<Outcome[]> {
    const verdicts = commands.map((command) => this.vet(command, access))
    let connection: Redis
    try {
      connection = this.pool.shared()
    } catch (error) {
      return commands.map(() => this.unavailable(error))
    }
    return Promise.all(commands.map((command, index) => verdicts[index] ?? this.run(connection, command)))
  }

  /**
   * MULTI … EXEC on a connection nobody else uses meanwhile. A refused command or a queue-time error
   * discards the whole transaction (one error); runtime errors land in their own slot. Commands
   * answered here (emulations) take their slot without being sent.
   */
  async runTransaction(commands: RedisCommand[], access: Access): Promise<TransactionOutcome> {
    const refused = commands.map((command) => this.vet(command, access)).find((verdict) => verdict !== undefined)
    if (refused !== undefined) return refused

    const plans = commands.map((command) => planCommand(command, this.scripts))
    const sent = plans.filter((plan): plan is SendPlan => plan.kind === 'send')
    let lease: Awaited<ReturnType<RedisPool['lease']>>
    try {
      lease = await this.pool.lease()
    } catch (error) {
      return this.unavailable(error)
    }
    const { connection } = lease
    try {
      const multi = connection.callBuffer('MULTI')
      const queued = sent.map((plan) => connection.callBuffer(plan.name, ...plan.args))
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
      let next = 0
      const items = plans.map((plan): Outcome => {
        if (plan.kind === 'local') return { kind: 'result', reply: plan.reply }
        const reply: unknown = replies[next++]
        const error = asError(reply)
        return error !== undefined ? errorOutcome(plan, error.message) : resultOutcome(plan, reply)
      })
      return { kind: 'done', items }
    } finally {
      lease.release()
    }
  }
}
