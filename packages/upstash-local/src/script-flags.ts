import { createHash } from 'node:crypto'

/**
 * Upstash accepts Lua shebang flags that stock Redis rejects (`ERR Unexpected flag in script
 * shebang`). `@upstash/ratelimit` 2.x starts its scripts with `#!lua flags=allow-key-locking` and
 * calls EVALSHA with the SHA-1 of that original text. We strip the Upstash-only flags before the
 * script reaches Redis, and remember original SHA → rewritten SHA so EVALSHA, SCRIPT LOAD and
 * SCRIPT EXISTS behave as they do on Upstash.
 */
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking'])

type Arg = string | Buffer

export function sha1Hex(script: Buffer): string {
  return createHash('sha1').update(script).digest('hex')
}

function toBuffer(arg: Arg): Buffer {
  return typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg
}

/**
 * The script with Upstash-only flags removed from its `#!lua` line, or `undefined` when it needs no
 * change. When no flag remains the shebang becomes an empty line (legacy EVAL semantics; line
 * numbers in Lua errors stay the same).
 */
export function stripUpstashFlags(script: Buffer): Buffer | undefined {
  if (script.length < 5 || script.toString('latin1', 0, 5) !== '#!lua') return undefined
  const newline = script.indexOf(0x0a)
  const lineEnd = newline === -1 ? script.length : newline
  const line = script.toString('utf8', 0, lineEnd).replace(/\r$/, '')
  const tokens = line.slice('#!lua'.length).trim().split(/\s+/).filter(Boolean)
  let changed = false
  const kept: string[] = []
  for (const token of tokens) {
    if (!token.startsWith('flags=')) {
      kept.push(token)
      continue
    }
    const flags = token.slice('flags='.length).split(',').filter(Boolean)
    const remaining = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag))
    if (remaining.length !== flags.length) changed = true
    if (remaining.length > 0) kept.push(`flags=${remaining.join(',')}`)
  }
  if (!changed) return undefined
  const newLine = kept.length === 0 ? '' : `#!lua ${kept.join(' ')}`
  return Buffer.concat([Buffer.from(newLine, 'utf8'), script.subarray(lineEnd)])
}

/** A command ready to send, plus an optional fix-up of its successful reply. */
export interface PreparedScriptCommand {
  args: Arg[]
  mapReply?: (reply: unknown) => unknown
}

/**
 * Remembers sha1(original script) → sha1(rewritten script), only for scripts that needed rewriting, up to
 * `maxEntries` (least recently used first out). A forgotten script costs one round trip: its EVALSHA
 * gets NOSCRIPT, and the client falls back to EVAL, which rewrites and remembers it again.
 */
export class ScriptRegistry {
  private readonly rewrittenSha = new Map<string, string>()

  constructor(private readonly maxEntries = 1024) {}

  get size(): number {
    return this.rewrittenSha.size
  }

  /** Rewrites script-related commands (`name` upper-case); other commands pass through untouched. */
  prepare(name: string, args: Arg[]): PreparedScriptCommand {
    switch (name) {
      case 'EVAL':
      case 'EVAL_RO':
        return { args: this.withScriptAt(args, 0) }
      case 'EVALSHA':
      case 'EVALSHA_RO':
        return { args: this.withShaAt(args, 0) }
      case 'SCRIPT':
        return this.prepareScript(args)
      default:
        return { args }
    }
  }

  private prepareScript(args: Arg[]): PreparedScriptCommand {
    const sub = args[0]?.toString().toUpperCase()
    const body = args[1]
    if (sub === 'LOAD' && body !== undefined) {
      const originalSha = sha1Hex(toBuffer(body))
      return { args: this.withScriptAt(args, 1), mapReply: () => Buffer.from(originalSha) }
    }
    if (sub === 'EXISTS') {
      return { args: args.map((arg, i) => (i === 0 ? arg : this.mapSha(arg))) }
    }
    if (sub === 'FLUSH') {
      return {
        args,
        mapReply: (reply) => {
          this.rewrittenSha.clear()
          return reply
        },
      }
    }
    return { args }
  }

  private withScriptAt(args: Arg[], index: number): Arg[] {
    const script = args[index]
    if (script === undefined) return args
    const original = toBuffer(script)
    const rewritten = stripUpstashFlags(original)
    if (rewritten === undefined) return args
    this.remember(sha1Hex(original), sha1Hex(rewritten))
    const copy = args.slice()
    copy[index] = rewritten
    return copy
  }

  private withShaAt(args: Arg[], index: number): Arg[] {
    const sha = args[index]
    if (sha === undefined) return args
    const copy = args.slice()
    copy[index] = this.mapSha(sha)
    return copy
  }

  private remember(originalSha: string, rewrittenSha: string): void {
    this.rewrittenSha.delete(originalSha)
    this.rewrittenSha.set(originalSha, rewrittenSha)
    if (this.rewrittenSha.size > this.maxEntries) {
      const oldest = this.rewrittenSha.keys().next()
      if (!oldest.done) this.rewrittenSha.delete(oldest.value)
    }
  }

  private mapSha(sha: Arg): Arg {
    const original = sha.toString().toLowerCase()
    const rewritten = this.rewrittenSha.get(original)
    if (rewritten === undefined) return sha
    this.remember(original, rewritten)
    return rewritten
  }
}
