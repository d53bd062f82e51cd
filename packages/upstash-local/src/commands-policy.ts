/**
 * Which commands the REST endpoint refuses outright, and what a read-only token may run.
 * Upstash refuses connection-state, pub/sub, transaction-control and blocking commands over
 * REST; forwarding them on a pooled connection would also corrupt the connection for others.
 */

type Arg = string | Buffer

const REFUSED: ReadonlyMap<string, string> = new Map([
  ...['BLPOP', 'BRPOP', 'BRPOPLPUSH', 'BLMOVE', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP', 'WAIT', 'WAITAOF'].map(
    (name) => [name, 'blocking commands are not supported over REST'] as const,
  ),
  ...['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH'].map(
    (name) => [name, 'use the /multi-exec endpoint for transactions'] as const,
  ),
  ...['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE'].map(
    (name) => [name, 'use the /subscribe/<channel> or /psubscribe/<pattern> endpoints'] as const,
  ),
  ['MONITOR', 'MONITOR is not supported over REST'],
  ...['AUTH', 'HELLO', 'SELECT', 'QUIT', 'RESET', 'CLIENT', 'READONLY', 'READWRITE'].map(
    (name) => [name, 'connection commands other than PING and ECHO are not supported over REST'] as const,
  ),
  ...['SHUTDOWN', 'REPLICAOF', 'SLAVEOF', 'SYNC', 'PSYNC', 'FAILOVER'].map(
    (name) => [name, 'server control commands are not supported over REST'] as const,
  ),
])

function argText(arg: Arg | undefined): string {
  return arg === undefined ? '' : arg.toString().toUpperCase()
}

/** The error to answer with when `name` may never run over REST, else `undefined`. */
export function refusal(name: string, args: readonly Arg[]): string | undefined {
  const upper = name.toUpperCase()
  const reason = REFUSED.get(upper)
  if (reason !== undefined) return `ERR Command is not available: '${name.toLowerCase()}' (${reason})`
  if ((upper === 'XREAD' || upper === 'XREADGROUP') && args.some((arg) => argText(arg) === 'BLOCK')) {
    return `ERR Command is not available: '${name.toLowerCase()}' with BLOCK (blocking commands are not supported over REST)`
  }
  return undefined
}

/** Fetches `COMMAND INFO <name>` from Redis (RESP2 reply as ioredis `callBuffer` returns it). */
export type CommandInfoLookup = (name: string) => Promise<unknown>

interface CommandRule {
  categories: Set<string>
  subcommands: Map<string, Set<string>>
}

const ALWAYS_READABLE = new Set(['PING', 'ECHO'])

function asText(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return typeof value === 'string' ? value : undefined
}

function categoriesOf(entry: unknown): Set<string> {
  const result = new Set<string>()
  if (!Array.isArray(entry)) return result
  const list: unknown = entry[6]
  if (Array.isArray(list)) {
    for (const item of list) {
      const text = asText(item)
      if (text !== undefined) result.add(text.toLowerCase())
    }
  }
  return result
}

function parseRule(reply: unknown): CommandRule | undefined {
  if (!Array.isArray(reply)) return undefined
  const entry: unknown = reply[0]
  if (!Array.isArray(entry)) return undefined
  const subcommands = new Map<string, Set<string>>()
  const subs: unknown = entry[9]
  if (Array.isArray(subs)) {
    for (const sub of subs) {
      if (!Array.isArray(sub)) continue
      const fullName = asText(sub[0])
      const bar = fullName?.indexOf('|') ?? -1
      if (fullName !== undefined && bar >= 0) {
        subcommands.set(fullName.slice(bar + 1).toUpperCase(), categoriesOf(sub))
      }
    }
  }
  return { categories: categoriesOf(entry), subcommands }
}

/**
 * The read-only token behaves like a Redis ACL user `+@read -@dangerous` (Upstash's documented
 * recipe), plus PING and ECHO. Categories come from the backing Redis's `COMMAND INFO`, cached.
 */
export class ReadOnlyPolicy {
  private readonly rules = new Map<string, Promise<CommandRule | undefined>>()

  constructor(private readonly lookup: CommandInfoLookup) {}

  /** `NOPERM …` when a read-only caller may not run this command, else `undefined`. */
  async check(name: string, args: readonly Arg[]): Promise<string | undefined> {
    const upper = name.toUpperCase()
    if (ALWAYS_READABLE.has(upper)) return undefined
    let rule = this.rules.get(upper)
    if (rule === undefined) {
      rule = this.lookup(upper).then(parseRule)
      rule.catch(() => this.rules.delete(upper))
      this.rules.set(upper, rule)
    }
    const found = await rule
    // Unknown commands are let through so that Redis answers with its own "unknown command" error.
    if (found === undefined) return undefined
    let categories = found.categories
    let label = name.toLowerCase()
    if (found.subcommands.size > 0) {
      const sub = argText(args[0])
      const subCategories = found.subcommands.get(sub)
      if (subCategories !== undefined) {
        categories = subCategories
        label = `${label}|${sub.toLowerCase()}`
      }
    }
    if (categories.has('@read') && !categories.has('@dangerous')) return undefined
    return `NOPERM this user has no permissions to run the '${label}' command`
  }
}
