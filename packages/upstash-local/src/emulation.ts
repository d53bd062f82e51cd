import type { RedisCommand } from './command.js'
import type { ScriptRegistry } from './script-flags.js'

/**
 * What to do with a command that passed the policy: answer it here, or send it (possibly rewritten)
 * and adjust the reply. This is where Upstash behaviours that stock Redis lacks are emulated:
 * - `SCAN … WITHTYPE` (Upstash-only): keys interleaved with their types, `[cursor, [k1, t1, k2, t2…]]`;
 * - `COPY k k` answers 0 (Redis: `ERR source and destination objects are the same`);
 * - `SELECT 0` answers OK without switching (Upstash has one database; the URL picks ours);
 * - `COMMAND` answers an empty array; `CONFIG GET` shows `notify-keyspace-events` only.
 */
type Arg = string | Buffer

export type Plan =
  | { kind: 'local'; reply: unknown }
  | {
      kind: 'send'
      name: string
      args: Arg[]
      /** Adjusts a successful reply. */
      mapReply?: (reply: unknown) => unknown
      /** Turns an error reply into a result, or returns `undefined` to keep the error. */
      mapError?: (message: string) => unknown
    }

const OK = Buffer.from('OK')

/** SCAN with its arguments, then TYPE of every key returned, in one atomic step (works inside MULTI too). */
const SCAN_WITH_TYPES_LUA = `local reply = redis.call('SCAN', unpack(ARGV))
local typed = {}
for _, key in ipairs(reply[2]) do
  typed[#typed + 1] = key
  typed[#typed + 1] = redis.call('TYPE', key)['ok']
end
return {reply[1], typed}`

const upperArg = (arg: Arg): string => arg.toString().toUpperCase()

export function planCommand(command: RedisCommand, scripts: ScriptRegistry): Plan {
  const { upper, args } = command
  switch (upper) {
    case 'SELECT':
      return { kind: 'local', reply: OK }
    case 'COMMAND':
      return { kind: 'local', reply: [] }
    case 'COPY':
      return {
        kind: 'send',
        name: upper,
        args,
        mapError: (message) =>
          message.startsWith('ERR source and destination objects are the same') ? '0' : undefined,
      }
    case 'CONFIG':
      if (upperArg(args[0] ?? '') !== 'GET') break
      return { kind: 'send', name: upper, args, mapReply: onlyNotifyKeyspaceEvents }
    case 'SCAN': {
      const rest = args.slice(1)
      const withType = rest.findIndex((arg) => upperArg(arg) === 'WITHTYPE')
      if (withType < 0 || args[0] === undefined) break
      rest.splice(withType, 1)
      return { kind: 'send', name: 'EVAL', args: [SCAN_WITH_TYPES_LUA, '0', args[0], ...rest] }
    }
  }
  const prepared = scripts.prepare(upper, args)
  return {
    kind: 'send',
    name: upper,
    args: prepared.args,
    ...(prepared.mapReply ? { mapReply: prepared.mapReply } : {}),
  }
}

function onlyNotifyKeyspaceEvents(reply: unknown): unknown {
  if (!Array.isArray(reply)) return reply
  const kept: unknown[] = []
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name: unknown = reply[i]
    if (String(name).toLowerCase() === 'notify-keyspace-events') kept.push(name, reply[i + 1])
  }
  return kept
}
