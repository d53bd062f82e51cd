import type { ServerResponse } from 'node:http'
import { OutageReporter, RedisClientError } from '@rediware/redis'
import { type ConnectionContext, SseConnection } from './connection.js'
import { channelTag, decodeCursor, encodeCursor } from './cursor.js'
import { History } from './history.js'
import { Hub } from './hub.js'
import { RealtimeKeys } from './keys.js'
import { ListenerConsumer, type RealtimeListener } from './listener.js'
import {
  checkChannel,
  checkChannels,
  resolveOptions,
  resolveSseOptions,
  type RealtimeOptions,
  type SseOptions,
} from './options.js'
import { type PublishedEvent, publisher } from './publisher.js'
import type { RouteHandler } from './route-handler.js'
import { sseHandler } from './sse-handler.js'

/** Stops a server-side listener. `ready` resolves once it receives every event published from then on. */
export interface Unsubscribe {
  (): void
  readonly ready: Promise<void>
}

export interface RealtimeStats {
  /** Open SSE streams in this process. */
  connections: number
  /** Channels this process reads (one pub/sub subscription each, on one connection). */
  channels: number
  /** Server-side listeners. */
  listeners: number
}

export interface Realtime {
  /** Express handler streaming the channels of `options` as Server-Sent Events. */
  sse(options: SseOptions): RouteHandler
  /** Appends an event to the channel's log and announces it; resolves to its id once it is in the log. */
  publish<T>(channel: string, event: PublishedEvent<T>): Promise<string>
  /**
   * Where the channels' logs end now, as the Last-Event-ID to connect with (`?lastEventId=`): a page
   * rendered with this position streams exactly what comes after it.
   */
  position(channels: string | readonly string[]): Promise<string>
  /** Calls `listener` with each event of `channel` published from now on (and `reset` after a gap). */
  subscribe(channel: string, listener: RealtimeListener): Unsubscribe
  stats(): RealtimeStats
  /** Ends every stream with a retry hint, stops the listeners and leaves every channel. */
  close(): Promise<void>
}

/** Events in a live feed's queue while it reads the log. */
const FEED_QUEUE = 10_000
/** Log entries per read. */
const PAGE_SIZE = 200

/** Creates the realtime hub of this process. */
export function createRealtime(options: RealtimeOptions = {}): Realtime {
  const settings = resolveOptions(options)
  const { client, hooks } = settings
  const keys = new RealtimeKeys(settings.prefix)
  const history = new History(client, settings.timeout)
  const outage = new OutageReporter({ onOutage: (error) => hooks.error(error) })
  const unfollow = outage.follow(client)
  const hub = new Hub(
    client,
    keys,
    history,
    {
      failed: (error) => outage.failed(error),
      succeeded: () => outage.succeeded(),
      reset: (channel) => hooks.event({ type: 'reset', channel }),
      lost: (error) => outage.failed(error),
    },
    { maxQueue: FEED_QUEUE, pageSize: PAGE_SIZE },
  )
  const publish = publisher(client, keys, settings, outage)
  const connections = new Set<SseConnection>()
  const listeners = new Set<() => void>()
  let heartbeat: NodeJS.Timeout | undefined
  let closed = false

  const context: ConnectionContext = {
    hub,
    history,
    keys,
    follower: { maxQueue: settings.maxBacklogEvents, pageSize: PAGE_SIZE },
    backlog: { maxBytes: settings.maxBacklogBytes, maxEvents: settings.maxBacklogEvents },
    retry: settings.retry,
    event: (activity) => hooks.event(activity),
    failed: (error) => outage.failed(error),
    closed: (connection) => {
      connections.delete(connection)
      if (connections.size === 0 && heartbeat) {
        clearInterval(heartbeat)
        heartbeat = undefined
      }
    },
  }

  const open = (res: ServerResponse, channels: readonly string[], lastEventId: string | undefined): void => {
    const connection = new SseConnection(res, channels, context)
    connections.add(connection)
    res.once('close', () => connection.close('client'))
    heartbeat ??= setInterval(() => {
      for (const each of connections) each.heartbeat()
    }, settings.heartbeat)
    heartbeat.unref()
    connection.start(decodeCursor(lastEventId, connection.tags))
  }

  const host = {
    get closed() {
      return closed
    },
    retry: settings.retry,
    forbidden: (channel: string) => hooks.event({ type: 'forbidden', channel }),
    open,
  }

  return {
    sse: (sseOptions) => sseHandler(host, resolveSseOptions(sseOptions)),
    publish: (channel, event) =>
      closed
        ? Promise.reject(new RedisClientError('ERR_REDIS_CLOSED', '@rediware/realtime: publish() after close().'))
        : publish(channel, event),
    position: async (channels) => {
      const list =
        typeof channels === 'string' ? [checkChannel(channels, 'position()')] : checkChannels(channels, 'position()')
      const tails = await Promise.all(list.map((channel) => history.tail(keys.of(channel))))
      return encodeCursor(list.map((channel, index) => ({ tag: channelTag(channel), position: tails[index] })))
    },
    subscribe: (channel, listener) => {
      checkChannel(channel, 'subscribe()')
      if (typeof listener !== 'function')
        throw new TypeError(
          '@rediware/realtime: subscribe(channel, listener): listener must be a function (event) => void.',
        )
      if (closed) throw new TypeError('@rediware/realtime: subscribe() after close().')
      const consumer = new ListenerConsumer(channel, listener, (error) =>
        hooks.event({ type: 'listener-error', channel, error }),
      )
      const feed = hub.attach(channel, consumer)
      let stopped = false
      const stop = () => {
        if (stopped) return
        stopped = true
        listeners.delete(stop)
        hub.detach(feed, consumer)
      }
      listeners.add(stop)
      return Object.assign(stop, { ready: feed.ready() })
    },
    stats: () => ({ connections: connections.size, channels: hub.size, listeners: listeners.size }),
    close: async () => {
      if (closed) return
      closed = true
      for (const connection of [...connections]) connection.close('shutdown')
      for (const stop of [...listeners]) stop()
      clearInterval(heartbeat)
      unfollow()
      await hub.close()
      if (settings.ownsClient) await client.close()
    },
  }
}
