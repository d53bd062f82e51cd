import type { Server } from 'node:http'
import { createChannel, createSession } from 'better-sse'
import express from 'express'
import { Redis } from 'ioredis'
import type { FanOut } from '../contenders.js'
import { channelName, eventType, type Tick } from '../protocol.js'

/**
 * better-sse wired across processes the way its maintainer suggests (better-sse#86, #89): one
 * channel per process, a Redis subscriber that broadcasts each message to it, PUBLISH to send.
 */
export async function startBetterSse(redisUrl: string, server: Server): Promise<FanOut> {
  const publisher = new Redis(redisUrl)
  const subscriber = new Redis(redisUrl)
  const channel = createChannel()
  subscriber.on('message', (_channel: string, message: string) => {
    channel.broadcast(JSON.parse(message) as Tick, eventType)
  })
  await subscriber.subscribe(channelName)
  const app = express()
  app.get('/events', async (req, res) => {
    const session = await createSession(req, res)
    channel.register(session)
  })
  server.on('request', app)
  return {
    async publish(tick) {
      await publisher.publish(channelName, JSON.stringify(tick))
    },
    async close() {
      subscriber.disconnect()
      publisher.disconnect()
    },
  }
}
