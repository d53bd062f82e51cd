import type { Server } from 'node:http'
import { createRealtime } from '@rediware/realtime'
import express from 'express'
import { Redis } from 'ioredis'
import type { FanOut } from '../contenders.js'
import { channelName, eventType } from '../protocol.js'

/** `rt.sse()` on GET /events of an Express app, `rt.publish()` for each tick. */
export async function startOurs(redisUrl: string, server: Server): Promise<FanOut> {
  const redis = new Redis(redisUrl)
  // A deadline of seconds, not the default: a loaded bench machine can stall Redis past it, and a
  // failed publish would read as a lost event (the peers' PUBLISH has no deadline at all).
  const rt = createRealtime({ redis, prefix: 'bench:', history: { maxLen: 1000, ttl: '1 h' }, timeout: '5 s' })
  const app = express()
  app.get('/events', rt.sse({ channels: [channelName] }))
  server.on('request', app)
  return {
    async publish(tick) {
      await rt.publish(channelName, { type: eventType, data: tick })
    },
    async close() {
      await rt.close()
      redis.disconnect()
    },
  }
}
