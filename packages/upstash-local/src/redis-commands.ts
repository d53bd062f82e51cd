/**
 * The backing Redis's command table, read once at start (`COMMAND`): which names it knows, and whether
 * each command (or subcommand) is a read in the sense of Upstash's read-only token recipe, an ACL user
 * `+@read -@dangerous`. Its size is that of Redis's own table: names clients send are looked up, never
 * stored.
 */
export interface CommandFacts {
  /** `+@read -@dangerous` (ACL categories, Redis ≥ 6), or the `readonly` flag on older servers. */
  readable: boolean
  /** Subcommand (upper-case) → readable, for container commands such as SCRIPT or XINFO. */
  subcommands: ReadonlyMap<string, boolean>
}

function asText(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  return typeof value === 'string' ? value : undefined
}

function words(value: unknown): Set<string> {
  const result = new Set<string>()
  if (!Array.isArray(value)) return result
  for (const item of value) {
    const text = asText(item)
    if (text !== undefined) result.add(text.toLowerCase())
  }
  return result
}

function isReadable(entry: readonly unknown[]): boolean {
  const categories = words(entry[6])
  if (categories.size > 0) return categories.has('@read') && !categories.has('@dangerous')
  const flags = words(entry[2])
  return flags.has('readonly') && !flags.has('admin')
}

export class RedisCommandTable {
  private constructor(private readonly facts: ReadonlyMap<string, CommandFacts>) {}

  /** Parses the reply of `COMMAND` (RESP2, as ioredis `callBuffer` returns it). */
  static fromCommandReply(reply: unknown): RedisCommandTable {
    const facts = new Map<string, CommandFacts>()
    if (Array.isArray(reply)) {
      for (const entry of reply) {
        if (!Array.isArray(entry)) continue
        const name = asText(entry[0])
        if (name === undefined) continue
        const subcommands = new Map<string, boolean>()
        const subs: unknown = entry[9]
        if (Array.isArray(subs)) {
          for (const sub of subs) {
            if (!Array.isArray(sub)) continue
            const fullName = asText(sub[0]) ?? ''
            const bar = fullName.indexOf('|')
            if (bar >= 0) subcommands.set(fullName.slice(bar + 1).toUpperCase(), isReadable(sub))
          }
        }
        facts.set(name.toUpperCase(), { readable: isReadable(entry), subcommands })
      }
    }
    return new RedisCommandTable(facts)
  }

  /** Facts about `upper` (an upper-case name), or `undefined` when this Redis does not know it. */
  get(upper: string): CommandFacts | undefined {
    return this.facts.get(upper)
  }

  get size(): number {
    return this.facts.size
  }
}
