import type { Server as HttpServer } from 'node:http'
import { createAdapter } from '@socket.io/redis-adapter'
import { Redis } from 'ioredis'
import { Server } from 'socket.io'
import type { FanOut } from '../contenders.js'
import { eventType } from '../protocol.js'

/** socket.io on the app's server with @socket.io/redis-adapter over two ioredis connections, as its docs set it up. */
export async function startSocketIo(redisUrl: string, server: HttpServer): Promise<FanOut> {
  const pubClient = new Redis(redisUrl)
  const subClient = pubClient.duplicate()
  const io = new Server(server, { adapter: createAdapter(pubClient, subClient) })
  return {
    async publish(tick) {
      io.emit(eventType, tick)
    },
    async close() {
      await io.close()
      pubClient.disconnect()
      subClient.disconnect()
    },
  }
}
