import { createHash } from 'node:crypto'
import type { Arg, Command, Reply, Script, ScriptDefinition } from './types.js'
import type { Deadline } from './deadline.js'
import { ServerReplyError, type Transport } from './transport.js'

const identity = (reply: Reply): Reply => reply

/**
 * Declares a Lua script and its TypeScript twin for the memory backend. Scripts must touch only the
 * keys they are given (Cluster, Dragonfly) and take time from `redis.call('TIME')`.
 */
export function defineScript<T = Reply>(definition: ScriptDefinition<T>): Script<T> {
  if (!Number.isInteger(definition.keys) || definition.keys < 0) {
    throw new RangeError(`defineScript(${definition.name}): keys must be a non-negative integer.`)
  }
  const lua = definition.lua.trim()
  return {
    name: definition.name,
    keys: definition.keys,
    lua,
    sha: createHash('sha1').update(lua).digest('hex'),
    local: definition.local,
    parse: definition.parse ?? (identity as (reply: Reply) => T),
  }
}

/** Where the keys sit in EVALSHA/EVAL's arguments, per key count (shared: commands never change them). */
const keyIndexesByCount: number[][] = []

function keyIndexesFor(count: number): number[] {
  let indexes = keyIndexesByCount[count]
  if (!indexes) {
    indexes = Array.from({ length: count }, (_, index) => index + 2)
    keyIndexesByCount[count] = indexes
  }
  return indexes
}

/** EVALSHA or EVAL of a script, keys declared where they sit (for Cluster routing). */
export const scriptCommand = (
  name: 'EVALSHA' | 'EVAL',
  body: string,
  keys: readonly string[],
  args: readonly Arg[],
): Command<Reply> => ({
  name,
  args: [body, keys.length, ...keys, ...args],
  keyIndexes: keyIndexesFor(keys.length),
  parse: identity,
})

export const isNoScript = (error: unknown): boolean =>
  error instanceof ServerReplyError && error.message.startsWith('NOSCRIPT')

/** EVALSHA, and EVAL only when the server answers NOSCRIPT (after SCRIPT FLUSH or a restart). */
export function evalWithFallback(
  send: (command: Command<Reply>) => Promise<Reply>,
  script: Script<unknown>,
  keys: readonly string[],
  args: readonly Arg[],
): Promise<Reply> {
  return send(scriptCommand('EVALSHA', script.sha, keys, args)).then(undefined, (error: unknown) => {
    if (!isNoScript(error)) throw error
    return send(scriptCommand('EVAL', script.lua, keys, args))
  })
}

/** Runs `script` over `transport`: by its own `runScript` where it has one, else by `evalWithFallback`. */
export function runScriptOver(
  transport: Transport,
  script: Script<unknown>,
  keys: readonly string[],
  args: readonly Arg[],
  deadline: Deadline,
): Promise<Reply> {
  if (transport.runScript) return transport.runScript(script, keys, args, deadline)
  return evalWithFallback((command) => transport.send(command, deadline), script, keys, args)
}
