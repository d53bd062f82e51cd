/** One Redis command as received over REST. `name` is as sent; `upper` is what we send to Redis. */
export interface RedisCommand {
  name: string
  upper: string
  args: Array<string | Buffer>
}

export function makeCommand(name: string, args: Array<string | Buffer>): RedisCommand {
  return { name, upper: name.toUpperCase(), args }
}

/**
 * A JSON command array (`["SET","k","v","EX",100]`) → a command, or an error message.
 * Strings, numbers and booleans are accepted as arguments (the SDK sends all three); `null`,
 * objects and nested arrays are rejected.
 */
export function commandFromJson(value: unknown): RedisCommand | string {
  if (!Array.isArray(value)) return 'ERR a command must be a JSON array like ["SET","key","value"]'
  if (value.length === 0) return 'ERR empty command array'
  const [name, ...rest] = value as unknown[]
  if (typeof name !== 'string' || name.length === 0) {
    return 'ERR the first element of a command array must be the command name (a non-empty string)'
  }
  const args: string[] = []
  for (const [index, arg] of rest.entries()) {
    if (typeof arg === 'string') args.push(arg)
    else if (typeof arg === 'number') {
      if (!Number.isFinite(arg)) return `ERR argument ${index + 1} of '${name}' is not a finite number`
      args.push(String(arg))
    } else if (typeof arg === 'boolean') args.push(arg ? 'true' : 'false')
    else {
      const kind = arg === null ? 'null' : Array.isArray(arg) ? 'an array' : typeof arg
      return `ERR argument ${index + 1} of '${name}' is ${kind}; only strings, numbers and booleans are accepted`
    }
  }
  return makeCommand(name, args)
}

/** A JSON 2-D array (`/pipeline`, `/multi-exec`) → commands, or an error message. */
export function commandsFromJson(value: unknown): RedisCommand[] | string {
  if (!Array.isArray(value))
    return 'ERR the body must be a JSON array of command arrays like [["SET","k","v"],["GET","k"]]'
  const commands: RedisCommand[] = []
  for (const [index, item] of (value as unknown[]).entries()) {
    const command = commandFromJson(item)
    if (typeof command === 'string') return `${command} (command ${index + 1})`
    commands.push(command)
  }
  return commands
}
