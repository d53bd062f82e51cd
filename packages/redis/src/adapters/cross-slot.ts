import type { Deadline } from '../deadline.js'
import { ServerReplyError } from '../transport.js'
import type { Command, Reply } from '../types.js'

const sum = (replies: Reply[]): Reply => replies.reduce<number>((total, reply) => total + Number(reply), 0)

/** Multi-key commands a Cluster adapter may split per key, and how their replies combine. */
const combiners: Readonly<Record<string, (replies: Reply[]) => Reply>> = {
  MGET: (replies) => replies.flatMap((reply) => (Array.isArray(reply) ? reply : [reply])),
  DEL: sum,
  UNLINK: sum,
  EXISTS: sum,
}

/** Runs a multi-key command whose keys live in different slots once per key and combines the replies. */
export async function sendAcrossSlots(
  command: Command<unknown>,
  deadline: Deadline,
  send: (command: Command<unknown>, deadline: Deadline) => Promise<Reply>,
): Promise<Reply> {
  const combine = combiners[command.name]
  if (!combine) {
    throw new ServerReplyError(`CROSSSLOT ${command.name} keys must share a hash tag on Redis Cluster.`)
  }
  const replies = await Promise.all(
    command.keyIndexes.map((index) =>
      send({ ...command, args: [command.args[index] ?? ''], keyIndexes: [0] }, deadline),
    ),
  )
  return combine(replies)
}

/** Sends each command on its own (they go to different nodes); error replies stay in place. */
export function sendEach(
  list: readonly Command<unknown>[],
  deadline: Deadline,
  send: (command: Command<unknown>, deadline: Deadline) => Promise<Reply>,
): Promise<(Reply | ServerReplyError)[]> {
  return Promise.all(
    list.map((command) =>
      send(command, deadline).catch((error: unknown) => {
        if (error instanceof ServerReplyError) return error
        throw error
      }),
    ),
  )
}
