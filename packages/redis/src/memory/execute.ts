import { ServerReplyError } from '../transport.js'
import type { Arg, Reply } from '../types.js'
import type { Handler } from './args.js'
import { hashesCommands } from './commands/hashes.js'
import { keysCommands } from './commands/keys.js'
import { pubsubCommands } from './commands/pubsub.js'
import { setsCommands } from './commands/sets.js'
import { streamsCommands } from './commands/streams.js'
import { stringsCommands } from './commands/strings.js'
import { zsetsCommands } from './commands/zsets.js'
import type { Keyspace } from './keyspace.js'

/** Every command the memory backend knows, one module per data type (commands/). */
const handlers: Readonly<Record<string, Handler>> = {
  ...keysCommands,
  ...stringsCommands,
  ...hashesCommands,
  ...zsetsCommands,
  ...setsCommands,
  ...streamsCommands,
  ...pubsubCommands,
}

/**
 * Runs one command on the keyspace. Bulk replies are Buffers; callers convert. Throws
 * ServerReplyError with Redis' own messages for wrong types, bad numbers and unknown commands.
 */
export function execute(space: Keyspace, name: string, args: readonly Arg[]): Reply {
  const handler = handlers[name.toUpperCase()]
  if (!handler) throw new ServerReplyError(`ERR unknown command '${name}' on the memory backend`)
  return handler(space, args)
}
