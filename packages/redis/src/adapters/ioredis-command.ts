import type { Deadline } from '../deadline.js'
import type {
  IoredisArg,
  IoredisCommandClass,
  IoredisCommandLike,
  IoredisCommandOptions,
  IoredisLike,
} from './ioredis-like.js'

/**
 * What a command is written as once its call has an outcome. ioredis expects one reply for every
 * command it writes, so the command cannot be left out: PING takes its place, changes nothing and
 * answers once (its reply goes to a promise nobody waits on any more).
 */
const IN_PLACE_OF_A_SETTLED_COMMAND = '*1\r\n$4\r\nPING\r\n'

type SettledAwareCommandClass = new (
  name: string,
  args: IoredisArg[],
  options: IoredisCommandOptions,
  deadline: Deadline,
) => IoredisCommandLike

/**
 * The `Command` class of the ioredis copy that made `redis` (ioredis is an optional peer, and an app
 * may hold more than one copy of it). Every ioredis command method builds a Command and hands it to
 * `this.sendCommand`: `call` on a stand-in whose `sendCommand` only keeps it shows the class, and
 * nothing is sent.
 */
function commandClassOf(redis: IoredisLike): IoredisCommandClass {
  let built: IoredisCommandLike | undefined
  const standIn: IoredisLike = Object.create(redis, {
    options: { value: { ...redis.options, enableAutoPipelining: false } },
    sendCommand: {
      value: (command: IoredisCommandLike) => {
        built = command
        return Promise.resolve(null)
      },
    },
  })
  void standIn.call('PING')
  const found: unknown = built?.constructor
  if (
    typeof found !== 'function' ||
    typeof (found.prototype as Partial<IoredisCommandLike>).toWritable !== 'function'
  ) {
    throw new TypeError(
      'fromIoredis() expects an ioredis Redis or Cluster instance; its commands are not ioredis Commands.',
    )
  }
  return found as IoredisCommandClass
}

const settledAwareClasses = new WeakMap<IoredisCommandClass, SettledAwareCommandClass>()

/**
 * ioredis' Command, written as PING once its call has an outcome. ioredis writes a command through
 * `toWritable` every time it sends it: the first time, and again whenever it re-sends it from an
 * offline queue, after a connection closed with the command unanswered (a standalone `Redis`'
 * `autoResendUnfulfilledCommands`, a Cluster's retries), or after MOVED, ASK, TRYAGAIN or
 * CLUSTERDOWN. That is the one place that sees every write, so a call reported failed is never
 * written afterwards.
 */
function settledAwareClassOf(base: IoredisCommandClass): SettledAwareCommandClass {
  let settledAware = settledAwareClasses.get(base)
  if (!settledAware) {
    settledAware = class SettledAwareCommand extends base {
      readonly #deadline: Deadline

      constructor(name: string, args: IoredisArg[], options: IoredisCommandOptions, deadline: Deadline) {
        super(name, args, options)
        this.#deadline = deadline
      }

      override toWritable(socket: unknown): string | Buffer {
        return this.#deadline.settled ? IN_PLACE_OF_A_SETTLED_COMMAND : super.toWritable(socket)
      }
    }
    settledAwareClasses.set(base, settledAware)
  }
  return settledAware
}

/**
 * Builds the commands of one ioredis connection as its own command methods would (its key prefix,
 * string or Buffer replies), except that ioredis can no longer write one once its call has an
 * outcome: a reply, an error, or the deadline that reported it failed.
 */
export class SettledAwareCommands {
  readonly #Command: SettledAwareCommandClass
  readonly #options: IoredisLike['options']

  constructor(redis: IoredisLike) {
    this.#Command = settledAwareClassOf(commandClassOf(redis))
    this.#options = redis.options
  }

  build(name: string, args: IoredisArg[], wantsBuffers: boolean, deadline: Deadline): IoredisCommandLike {
    const options: IoredisCommandOptions = {
      keyPrefix: this.#options.keyPrefix,
      replyEncoding: wantsBuffers ? null : 'utf8',
      errorStack: this.#options.showFriendlyErrorStack ? new Error() : undefined,
    }
    return new this.#Command(name, args, options, deadline)
  }
}
