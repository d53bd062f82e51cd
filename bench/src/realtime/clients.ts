import type { AppProcess } from './app-processes.js'
import type { Contender } from './contenders.js'
import { publishAtRate, settle } from './publisher.js'
import type { Receipts } from './receipts.js'
import { socketIoClient } from './socket-io-client.js'
import { type StreamClient, sseClient } from './sse-client.js'

/** Clients opened this many at a time: a thousand handshakes at once would time out on a busy core. */
const openBatch = 50

export interface ConnectedClient {
  index: number
  client: StreamClient
}

/** Opens `count` more clients spread evenly over the app processes, each recording into `receipts`. */
export async function connectClients(
  contender: Contender,
  apps: readonly AppProcess[],
  receipts: Receipts,
  count: number,
): Promise<ConnectedClient[]> {
  const made: ConnectedClient[] = []
  for (let offset = 0; offset < count; offset += openBatch) {
    const batch = Array.from({ length: Math.min(openBatch, count - offset) }, () => {
      const index = receipts.addClient()
      const app = apps[index % apps.length] as AppProcess
      const record = (tick: { n: number; at: number }) => receipts.record(index, tick.n, tick.at)
      const client =
        contender.clientKind === 'socket.io'
          ? socketIoClient(app.port, record)
          : sseClient(app.port, contender.resumesWithLastEventId, record)
      return { index, client }
    })
    await Promise.all(batch.map(({ client }) => client.open()))
    made.push(...batch)
  }
  return made
}

/**
 * Publishes warm-up events (negative sequence numbers, not counted) until every client got one: the
 * streams are then live end to end, whatever each library does between accepting a connection
 * and subscribing it.
 */
export async function warmUp(apps: readonly AppProcess[], receipts: Receipts, clients: number): Promise<void> {
  const allWarm = () => receipts.warmedUp.slice(0, clients).every(Boolean)
  for (let attempt = 0; attempt < 300 && !allWarm(); attempt += 1) {
    await publishAtRate(apps, -apps.length, apps.length, 20)
    await settle(allWarm, 100)
  }
  if (!allWarm()) throw new Error('some clients never received a warm-up event')
  // The other app's warm-up event may still be on its way: let it land before anything is counted.
  await new Promise((resolve) => setTimeout(resolve, 300))
}
