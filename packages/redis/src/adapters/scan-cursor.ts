import type { Deadline } from '../deadline.js'
import { RedisClientError } from '../errors.js'
import type { Guard } from '../transport.js'
import type { Reply } from '../types.js'

/** One SCAN call on one node: its raw reply for `cursor`. */
export type ScanPage<Node> = (node: Node, cursor: string, deadline: Deadline) => Promise<Reply>

/**
 * Walks SCAN's cursor on each node in turn, one guarded call per page, and yields each non-empty
 * page's keys with the client's key prefix taken off (the pattern carries it, the caller's keys do not).
 */
export async function* scanNodes<Node>(
  nodes: readonly Node[],
  scanPage: ScanPage<Node>,
  guard: Guard,
  prefix = '',
): AsyncIterable<string[]> {
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, keys] = await guard(async (deadline) => readScanReply(await scanPage(node, cursor, deadline)))
      cursor = next
      if (keys.length > 0) yield prefix === '' ? keys : keys.map((key) => withoutPrefix(key, prefix))
    } while (cursor !== '0')
  }
}

/** SCAN's reply as the next cursor and the page's keys; anything else is a bad reply. */
function readScanReply(reply: Reply): readonly [string, string[]] {
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
    throw new RedisClientError('ERR_REDIS_REPLY', 'Unexpected SCAN reply.')
  }
  return [String(reply[0]), (reply[1] as Reply[]).map(String)]
}

const withoutPrefix = (key: string, prefix: string): string => (key.startsWith(prefix) ? key.slice(prefix.length) : key)
