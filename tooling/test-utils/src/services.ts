import { randomBytes } from 'node:crypto'
import { ENV } from './env.js'
import { startRedisCluster } from './redis-cluster.js'
import { startRedisServer } from './redis-server.js'
import { type RunningServices, setRunning, takeRunning } from './running.js'
import { killOwnLeftovers, reapAbandoned, type ServerRecord, writeState } from './state-file.js'
import { startUpstash } from './upstash.js'

async function stopAll(services: RunningServices): Promise<void> {
  for (const stop of [...services.stops].reverse()) await stop().catch(() => undefined)
}

/**
 * Starts a standalone redis-server (unless REDIS_URL is set), a 3-master Cluster and upstash-local,
 * exports their addresses through REDIWARE_TEST_* env vars, and records pids for the teardown.
 */
export async function startServices(): Promise<void> {
  await reapAbandoned()
  const services: RunningServices = { stops: [] }
  const records: ServerRecord[] = []
  setRunning(services)
  try {
    let redisUrl = process.env.REDIS_URL
    if (redisUrl === undefined || redisUrl === '') {
      const server = await startRedisServer()
      services.stops.push(() => server.stop())
      records.push({ pid: server.pid, port: server.port })
      writeState(records)
      redisUrl = server.url
    }
    process.env[ENV.redisUrl] = redisUrl

    const cluster = await startRedisCluster({ masters: 3 })
    services.stops.push(() => cluster.stop())
    records.push(...cluster.nodes.map(({ port }, index) => ({ pid: cluster.pids[index] ?? -1, port })))
    writeState(records)
    process.env[ENV.clusterNodes] = cluster.nodesString

    const upstash = await startUpstash(redisUrl, randomBytes(24).toString('hex'))
    if (upstash) {
      services.stops.push(() => upstash.close())
      process.env[ENV.upstashUrl] = upstash.url
      process.env[ENV.upstashToken] = upstash.token
    }
  } catch (error) {
    // jest skips the teardown when the setup throws: clean up here.
    await stopAll(services)
    throw error
  }
}

/** Stops what `startServices` started (even after failed tests), then kills any recorded pid left. */
export async function stopServices(): Promise<void> {
  const services = takeRunning()
  const errors: unknown[] = []
  for (const stop of [...(services?.stops ?? [])].reverse()) {
    await stop().catch((error: unknown) => errors.push(error))
  }
  await killOwnLeftovers()
  if (errors.length > 0) throw new AggregateError(errors, 'global teardown could not stop every test server')
}
