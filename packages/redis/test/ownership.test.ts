import { randomUUID } from 'node:crypto'
import { Cluster, Redis } from 'ioredis'
import { createClient, fromIoredis, toClient } from '@rediware/redis'
import { ENV, rawCommand, requireEnv, waitFor } from '@rediware/test-utils'

const redisUrl = () => requireEnv(ENV.redisUrl)
const address = () => {
  const url = new URL(redisUrl())
  return { host: url.hostname, port: Number(url.port) }
}
const clusterNodes = () =>
  requireEnv(ENV.clusterNodes)
    .split(',')
    .map((entry) => ({
      host: entry.slice(0, entry.lastIndexOf(':')),
      port: Number(entry.slice(entry.lastIndexOf(':') + 1)),
    }))

/** How many connections the server has open under this client name (`CLIENT SETNAME`). */
async function connectionsNamed(name: string): Promise<number> {
  const list = String(await rawCommand(address(), ['CLIENT', 'LIST']))
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length
}

const untilConnections = (name: string, count: number) =>
  waitFor(async () => (await connectionsNamed(name)) === count, {
    description: `${count} connection(s) named ${name}`,
    timeout: 5000,
  })

const uniqueName = () => `own-${randomUUID().slice(0, 8)}`

describe('who closes the connection', () => {
  const leftovers: (Redis | Cluster)[] = []
  afterAll(() => {
    // ioredis 6 arms a timer when disconnect() is called on a connection that already ended.
    for (const connection of leftovers) if (connection.status !== 'end') connection.disconnect()
  })

  it('leaves an ioredis connection passed to fromIoredis() open on close(), and closes the subscriber it made', async () => {
    const name = uniqueName()
    const redis = new Redis(redisUrl(), { connectionName: name })
    leftovers.push(redis)
    const client = fromIoredis(redis)
    const subscription = client.subscribe('ownership-channel', () => undefined)
    await subscription.ready({ timeout: 5000 })
    await client.ping()
    await untilConnections(name, 2)

    await client.close()

    expect(redis.status).toBe('ready')
    expect(await redis.ping()).toBe('PONG')
    await untilConnections(name, 1)
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_REDIS_CLOSED' })
    await redis.quit()
    expect(await connectionsNamed(name)).toBe(0)
  })

  it("leaves a connection passed through toClient() (every middleware's `redis` option) open", async () => {
    const redis = new Redis(redisUrl())
    leftovers.push(redis)
    const client = toClient(redis)
    await client.ping()
    await client.close()
    expect(await redis.ping()).toBe('PONG')
    await redis.quit()
  })

  it('quits the connection on close() when fromIoredis() is given closeConnection: true', async () => {
    const name = uniqueName()
    const redis = new Redis(redisUrl(), { connectionName: name })
    leftovers.push(redis)
    const client = fromIoredis(redis, { closeConnection: true })
    await client.ping()
    expect(await connectionsNamed(name)).toBe(1)
    await client.close()
    expect(redis.status).toBe('end') // close() resolves once the socket has ended, not on QUIT's reply
    await untilConnections(name, 0)
  })

  it('leaves a Cluster passed in open, and quits it with closeConnection: true', async () => {
    const kept = new Cluster(clusterNodes())
    const handedOver = new Cluster(clusterNodes())
    leftovers.push(kept, handedOver)
    const keptClient = fromIoredis(kept)
    const handedOverClient = fromIoredis(handedOver, { closeConnection: true })
    await Promise.all([keptClient.set('{own}a', '1'), handedOverClient.set('{own}b', '1')])
    await Promise.all([keptClient.close(), handedOverClient.close()])
    expect(kept.status).toBe('ready')
    expect(await kept.get('{own}a')).toBe('1')
    expect(handedOver.status).toBe('end')
    await kept.quit()
  })

  it('closes the connection createClient() opened from REDIS_URL', async () => {
    const name = uniqueName()
    const url = new URL(redisUrl())
    url.searchParams.set('connectionName', name)
    const client = createClient({ REDIS_URL: url.toString() })
    const subscription = client.subscribe('ownership-env-channel', () => undefined)
    await subscription.ready({ timeout: 5000 })
    await client.ping()
    await untilConnections(name, 2)

    await client.close()

    await untilConnections(name, 0)
    await expect(client.ping()).rejects.toMatchObject({ code: 'ERR_REDIS_CLOSED' })
  })
})
