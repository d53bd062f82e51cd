import type { Access } from './auth.js'
import type { RedisCommand } from './command.js'
import type { RedisCommandTable } from './redis-commands.js'
import { REST_REFUSAL_REASONS, UPSTASH_REST_COMMANDS } from './upstash-commands.js'

/**
 * Decides, before anything is sent, whether a command may run. The rule, in order:
 * 1. a name the backing Redis does not know is refused (`ERR unknown command`): Redis answers some
 *    unknown names, such as `POST` and `Host:`, by dropping the connection, and a pooled connection
 *    serves other clients;
 * 2. a command Upstash does not run over REST is refused: blocking, connection-state, transaction
 *    control and subscription commands (which would change or hold a pooled connection), and every
 *    name or subcommand missing from Upstash's list (admin commands such as CONFIG SET, DEBUG,
 *    SHUTDOWN or MIGRATE);
 * 3. with the read-only token, anything but a read gets `NOPERM`.
 */
type Arg = string | Buffer

/** Read-only callers may also run these: they neither read nor write data (PING, ECHO), or only observe it (subscriptions). */
const READ_ONLY_EXTRAS = new Set(['PING', 'ECHO', 'SUBSCRIBE', 'PSUBSCRIBE'])

function shown(name: string): string {
  const text = name.length > 64 ? `${name.slice(0, 64)}…` : name
  return text.toLowerCase()
}

function upperArg(arg: Arg | undefined): string {
  return arg === undefined ? '' : arg.toString().toUpperCase()
}

function notAvailable(label: string, reason: string): string {
  return `ERR Command is not available: '${label}' (${reason})`
}

export class CommandPolicy {
  constructor(private readonly redis: RedisCommandTable) {}

  /** The error to answer instead of running `command`, or `undefined` when it may run. */
  check(command: RedisCommand, access: Access): string | undefined {
    const { upper, args } = command
    const facts = this.redis.get(upper)
    if (facts === undefined) return `ERR unknown command '${shown(command.name)}'`
    const label = shown(command.name)
    const restReason = REST_REFUSAL_REASONS.get(upper)
    if (restReason !== undefined) return notAvailable(label, restReason)
    const allowed = UPSTASH_REST_COMMANDS.get(upper)
    if (allowed === undefined) return notAvailable(label, 'not supported by Upstash')
    if ((upper === 'XREAD' || upper === 'XREADGROUP') && args.some((arg) => upperArg(arg) === 'BLOCK')) {
      return notAvailable(`${label} block`, 'blocking commands are not supported over REST')
    }
    const narrowed = narrow(upper, label, args)
    if (narrowed !== undefined) return narrowed

    let sub: string | undefined
    if (allowed !== 'any' && allowed.size > 0) {
      sub = upperArg(args[0])
      if (args[0] === undefined) return `ERR wrong number of arguments for '${label}' command`
      if (!allowed.has(sub)) {
        const subLabel = `${label}|${shown(sub)}`
        return facts.subcommands.has(sub)
          ? notAvailable(subLabel, 'not supported by Upstash')
          : `ERR unknown subcommand '${shown(sub)}' of '${label}'`
      }
    }
    if (access === 'read-write' || READ_ONLY_EXTRAS.has(upper)) return undefined
    const readable = sub !== undefined && facts.subcommands.has(sub) ? facts.subcommands.get(sub) : facts.readable
    if (readable) return undefined
    return `NOPERM this user has no permissions to run the '${sub === undefined ? label : `${label}|${shown(sub)}`}' command`
  }

  /** The same rule for the SSE endpoints (`/subscribe`, `/psubscribe`), where subscribing is the point. */
  checkSubscription(kind: 'SUBSCRIBE' | 'PSUBSCRIBE', access: Access): string | undefined {
    if (this.redis.get(kind) === undefined) return `ERR unknown command '${kind.toLowerCase()}'`
    if (access === 'read-only' && !READ_ONLY_EXTRAS.has(kind)) {
      return `NOPERM this user has no permissions to run the '${kind.toLowerCase()}' command`
    }
    return undefined
  }
}

/** Commands Upstash runs only in a narrower form than Redis. */
function narrow(upper: string, label: string, args: readonly Arg[]): string | undefined {
  if (upper === 'SELECT') {
    if (args.length !== 1) return `ERR wrong number of arguments for '${label}' command`
    return args[0]?.toString() === '0'
      ? undefined
      : 'ERR DB index is out of range (Upstash has one database: SELECT 0 only)'
  }
  if (upper === 'COMMAND' && args.length > 0) {
    return notAvailable(`${label}|${shown(upperArg(args[0]))}`, 'Upstash answers only COMMAND without arguments')
  }
  if (upper === 'CONFIG' && upperArg(args[0]) === 'SET') {
    const pairs = args.slice(1)
    const onlyNotify =
      pairs.length >= 2 &&
      pairs.length % 2 === 0 &&
      pairs.every((arg, i) => i % 2 === 1 || arg.toString().toLowerCase() === 'notify-keyspace-events')
    if (!onlyNotify)
      return notAvailable(`${label}|set`, 'Upstash allows CONFIG SET notify-keyspace-events <flags> only')
  }
  return undefined
}
