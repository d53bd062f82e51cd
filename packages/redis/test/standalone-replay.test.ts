import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { commands, fromIoredis, type RedisClient } from '@rediware/redis'
import { type RedisServerHandle, startRedisServer } from '@rediware/test-utils'
import { expectOnlyTheControlWrote, withSetup } from './replay-check.js'

/**
 * A standalone ioredis `Redis` writes a command again on its own once it is ready again: the
 * commands it had written and not had answered when its socket closed (`autoResendUnfulfilledCommands`,
 * on by default) and the commands in its offline queue. Each test pauses the server (it reads the
 * writes and holds them), issues a write through the client and the same write straight through
 * ioredis (the control), lets the deadline report the client's write failed, then kills and restarts
 * the server. The server keeps nothing across a restart, so whatever it holds afterwards was written
 * after the restart: once ioredis has settled the control (issued after the client's write, on the
 * same connection) it has sent the client's write too, and its key shows whether that write ran.
 */
interface Setup {
  server: RedisServerHandle
  redis: Redis
  client: RedisClient
}

async function setUp(): Promise<Setup> {
  const server = await startRedisServer()
  // Reconnects every 50 ms and never gives up on a command, however long the restart takes.
  const redis = new Redis(server.url, { retryStrategy: () => 50, maxRetriesPerRequest: null })
  redis.on('error', () => undefined)
  const client = fromIoredis(redis, { timeout: 150, breaker: { failureThreshold: 1000 } })
  await client.ping({ timeout: 5000 })
  return { server, redis, client }
}

async function tearDown({ server, redis, client }: Setup): Promise<void> {
  await client.close()
  redis.disconnect()
  await server.stop()
}

/** Kills the paused server (it never ran what it held) and starts an empty one on the same port. */
async function crashAndRestart({ server }: Setup): Promise<void> {
  await server.kill()
  await server.restart()
}

/** The control write, issued after everything the client sends in this turn of the event loop. */
const controlAfterThisTurn = (redis: Redis, key: string): Promise<unknown> =>
  new Promise<void>((resolve) => setImmediate(resolve)).then(() => redis.set(key, 'v'))

function keyPair(): { guarded: string; control: string } {
  const tag = randomUUID()
  return { guarded: `replay:${tag}:guarded`, control: `replay:${tag}:control` }
}

const withServer = (body: (setup: Setup) => Promise<void>): Promise<void> => withSetup(setUp, tearDown, body)

/** The check once `writes` were handed over: the control follows them, and the server crashes and restarts. */
const afterCrash = (setup: Setup, writes: Promise<unknown>[], guardedKeys: string[], controlKey: string) =>
  expectOnlyTheControlWrote({
    client: setup.client,
    writes,
    guardedKeys,
    control: controlAfterThisTurn(setup.redis, controlKey),
    controlKey,
    recover: () => crashAndRestart(setup),
  })

describe('a standalone ioredis write reported failed is never written afterwards', () => {
  it('when it was written just before the socket dropped, and ioredis resends it on reconnect', () =>
    withServer(async (setup) => {
      const { guarded, control } = keyPair()
      await setup.server.pause(10_000)
      await afterCrash(setup, [setup.client.set(guarded, 'v')], [guarded], control)
    }))

  it('when it left with the other commands of its turn of the event loop', () =>
    withServer(async (setup) => {
      const { guarded, control } = keyPair()
      const keys = [guarded, `${guarded}:2`, `${guarded}:3`]
      await setup.server.pause(10_000)
      // The turn's first write leaves at once, the others together at the end of the turn.
      await afterCrash(
        setup,
        keys.map((key) => setup.client.set(key, 'v')),
        keys,
        control,
      )
    }))

  it('in a batch, the same way', () =>
    withServer(async (setup) => {
      const { guarded, control } = keyPair()
      const keys = [guarded, `${guarded}:2`]
      await setup.server.pause(10_000)
      await afterCrash(setup, [setup.client.batch(keys.map((key) => commands.set(key, 'v')))], keys, control)
    }))

  it('when the socket dropped before it left, and ioredis kept it in its offline queue', () =>
    withServer(async (setup) => {
      const { guarded, control } = keyPair()
      // The reconnected connection's handshake waits on the paused server: ioredis keeps its
      // offline queue until the server is back.
      await setup.server.pause(10_000)
      const opener = setup.client.ping()
      // Handed over while the connection is ready; it leaves at the end of the turn.
      const write = setup.client.set(guarded, 'v')
      setup.redis.stream.destroy()
      await afterCrash(setup, [opener, write], [guarded], control)
    }))
})
