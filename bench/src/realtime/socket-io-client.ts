import { io, type Socket } from 'socket.io-client'
import { eventType, type Tick } from './protocol.js'
import type { StreamClient } from './sse-client.js'

/**
 * A socket.io-client of its own (no multiplexing), WebSocket from the start: with polling first,
 * 1,000 clients would measure the upgrade dance, not the fan-out. Its own automatic reconnection
 * is left on, as by default.
 */
export function socketIoClient(port: number, onTick: (tick: Tick) => void): StreamClient {
  let socket: Socket | undefined
  let unexpectedReconnects = 0
  return {
    open() {
      return new Promise((resolve, reject) => {
        if (socket) {
          socket.connect()
        } else {
          socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true })
          socket.on(eventType, onTick)
          socket.io.on('reconnect', () => {
            unexpectedReconnects += 1
          })
        }
        socket.once('connect', () => resolve())
        socket.once('connect_error', reject)
      })
    },
    drop() {
      socket?.disconnect()
    },
    close() {
      socket?.disconnect()
      socket?.removeAllListeners()
    },
    get unexpectedReconnects() {
      return unexpectedReconnects
    },
  }
}
