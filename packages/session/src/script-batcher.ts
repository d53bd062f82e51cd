import { type Arg, commands, isRedisClientError, type RedisClient, type Reply, type Script } from '@rediware/redis'

interface Pending<T> {
  keys: readonly string[]
  args: readonly Arg[]
  resolve: (value: T) => void
  reject: (error: unknown) => void
}

/** Largest number of calls sent in one pipeline. */
const MAX_BATCH = 128

/**
 * Coalesces the calls of one script made during the same event-loop turn (every request whose bytes
 * arrived in one I/O poll) into one pipeline: one socket write and one read for all of them instead
 * of one each, which is most of what a session read costs the app and Redis under load. Each call is
 * still its own script run (atomic on its own); only the transport is shared. A lone call is sent as
 * usual, so an idle server pays nothing extra.
 *
 * Only for scripts that are safe to run again: when the pipeline fails with a reply error (NOSCRIPT
 * after a Redis restart or SCRIPT FLUSH), every call is re-run on its own with the EVAL fallback.
 * Used only where every call is a request of its own (`capabilities.requestPerCall`, Upstash), where
 * a pipeline is one HTTP request instead of one each. A standalone TCP connection already coalesces
 * every command of a turn into one or two socket writes (the client's write coalescer, or the
 * driver's own auto-pipelining), which measured cheaper than a pipeline on top of it; Cluster
 * sends calls for different slots to different nodes anyway; memory has no I/O to save.
 */
export class ScriptBatcher<T> {
  readonly #client: RedisClient
  readonly #script: Script<T>
  readonly #enabled: boolean
  #queue: Pending<T>[] = []
  readonly #flush = (): void => this.#send()

  constructor(client: RedisClient, script: Script<T>) {
    this.#client = client
    this.#script = script
    this.#enabled = client.capabilities.requestPerCall
  }

  run(keys: readonly string[], args: readonly Arg[]): Promise<T> {
    if (!this.#enabled) return this.#client.runScript(this.#script, keys, args)
    return new Promise<T>((resolve, reject) => {
      if (this.#queue.length === 0) setImmediate(this.#flush)
      this.#queue.push({ keys, args, resolve, reject })
    })
  }

  #send(): void {
    const queue = this.#queue
    this.#queue = []
    for (let start = 0; start < queue.length; start += MAX_BATCH) this.#sendBatch(queue.slice(start, start + MAX_BATCH))
  }

  #sendOne(call: Pending<T>): void {
    this.#client.runScript(this.#script, call.keys, call.args).then(call.resolve, call.reject)
  }

  #sendBatch(queue: Pending<T>[]): void {
    const [first] = queue
    if (first === undefined) return
    if (queue.length === 1) {
      this.#sendOne(first)
      return
    }
    const script = this.#script
    const list = queue.map(({ keys, args }) => commands.evalsha(script, keys, args))
    this.#client.batch(list).then(
      (replies) => {
        for (const [index, call] of queue.entries()) {
          try {
            call.resolve(script.parse(replies[index] as Reply))
          } catch (error) {
            call.reject(error)
          }
        }
      },
      (error: unknown) => {
        if (isRedisClientError(error) && error.code === 'ERR_REDIS_REPLY') {
          for (const call of queue) this.#sendOne(call)
          return
        }
        for (const call of queue) call.reject(error)
      },
    )
  }
}
