import type { BenchRedis } from '../queue/redis.js'
import type { Pinning } from '../pinning.js'
import { type AppProcess, startAppProcess, totalUsage } from './app-processes.js'
import { type ConnectedClient, connectClients, warmUp } from './clients.js'
import type { Contender } from './contenders.js'
import { publishAtRate, settle } from './publisher.js'
import { Receipts } from './receipts.js'
import { commandCalls, scriptCalls, totalCalls } from './redis-stats.js'
import type { ContenderRound, Settings } from './results.js'

const appProcesses = 2
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** How long deliveries may trail the last publish of a phase before what is missing counts as missing. */
const settleMs = 5000

/** Commands Redis ran per published event while `count` events went out at the configured rate. */
async function commandsPerPublish(
  redis: BenchRedis,
  publish: () => Promise<void>,
  count: number,
): Promise<{ perPublish: number; scriptsPerPublish: number; calls: Record<string, number> }> {
  await redis.admin.config('RESETSTAT')
  await publish()
  const calls = await commandCalls(redis.admin)
  return { perPublish: totalCalls(calls) / count, scriptsPerPublish: scriptCalls(calls) / count, calls }
}

/** One contender, one round: two app processes, the clients in this process, every figure of the table. */
export async function measureContender(
  contender: Contender,
  redis: BenchRedis,
  pinning: Pinning,
  settings: Settings,
): Promise<ContenderRound> {
  await redis.admin.flushall()
  const { clients, smallClients, rate } = settings
  const commandEvents = Math.max(10, Math.round(rate * settings.commandSeconds))
  const steadyEvents = Math.round(rate * settings.durationSeconds)
  const awayEvents = Math.max(5, Math.round(rate * settings.awaySeconds))
  const afterEvents = Math.max(5, Math.round(rate))
  const capacity = 2 * commandEvents + steadyEvents + awayEvents + afterEvents
  const receipts = new Receipts(capacity)
  const apps: AppProcess[] = []
  const connected: ConnectedClient[] = []
  let next = 0
  const phase = (count: number) => {
    const from = next
    next += count
    return { from, count, run: () => publishAtRate(apps, from, count, rate) }
  }
  const deliveredAll = (from: number, count: number, whom: readonly ConnectedClient[]) => () =>
    whom.every(({ index }) => receipts.missing(index, from, from + count) === 0)
  try {
    for (let index = 0; index < appProcesses; index += 1)
      apps.push(await startAppProcess(contender.id, redis.url, pinning))
    connected.push(...(await connectClients(contender, apps, receipts, smallClients)))
    await warmUp(apps, receipts, connected.length)
    // The baseline for RSS is taken with the first clients connected, so that code loaded and
    // buffers sized on the first connections do not count as the cost of each.
    const withSmall = await totalUsage(apps)
    /** Redis commands per published event over one phase delivered to every client connected now. */
    const commandsOverPhase = () => {
      const events = phase(commandEvents)
      return commandsPerPublish(
        redis,
        async () => {
          await events.run()
          await settle(deliveredAll(events.from, events.count, connected), settleMs)
        },
        commandEvents,
      )
    }
    const commandsSmall = await commandsOverPhase()

    connected.push(...(await connectClients(contender, apps, receipts, clients - smallClients)))
    await warmUp(apps, receipts, connected.length)
    const commandsFull = await commandsOverPhase()
    const withClients = await totalUsage(apps)

    const steady = phase(steadyEvents)
    const deliveredBefore = receipts.delivered
    const redisCpuBefore = await redis.cpuMicros()
    const loadCpuBefore = process.cpuUsage()
    const startedAt = performance.now()
    receipts.measuring = true
    await steady.run()
    await settle(deliveredAll(steady.from, steady.count, connected), settleMs)
    receipts.measuring = false
    const wallMicros = (performance.now() - startedAt) * 1000
    const loadCpu = process.cpuUsage(loadCpuBefore)
    const afterSteady = await totalUsage(apps)
    const redisCpu = (await redis.cpuMicros()) - redisCpuBefore
    const delivered = receipts.delivered - deliveredBefore
    const latency = receipts.takeLatencies()
    let steadyMissing = 0
    for (const { index } of connected) steadyMissing += receipts.missing(index, steady.from, steady.from + steady.count)

    const reconnecting = connected.filter((_, position) => position % Math.round(1 / settings.reconnectShare) === 0)
    for (const { client } of reconnecting) client.drop()
    await sleep(500)
    const away = phase(awayEvents)
    await away.run()
    // Every event of the away phase reached the clients that stayed before the others come back, so
    // none of it can reach a reconnected client late and pass for a resumed one.
    const stayed = connected.filter((client) => !reconnecting.includes(client))
    await settle(deliveredAll(away.from, away.count, stayed), settleMs)
    await Promise.all(reconnecting.map(({ client }) => client.open()))
    const after = phase(afterEvents)
    await after.run()
    await settle(deliveredAll(away.from, away.count + after.count, reconnecting), settleMs)
    let lost = 0
    for (const { index } of reconnecting) lost += receipts.missing(index, away.from, after.from + after.count)

    return {
      contender: contender.id,
      name: contender.name,
      latencyP50Ms: latency.p50,
      latencyP99Ms: latency.p99,
      appCpuMicrosPerDelivery: (afterSteady.cpuMicros - withClients.cpuMicros) / delivered,
      redisCpuMicrosPerPublish: redisCpu / steadyEvents,
      loadProcessCpuShare: (loadCpu.user + loadCpu.system) / wallMicros,
      delivered,
      expectedDeliveries: steadyEvents * connected.length,
      steadyMissing,
      commandsPerPublishSmall: commandsSmall.perPublish,
      commandsPerPublishFull: commandsFull.perPublish,
      scriptCallsPerPublish: commandsFull.scriptsPerPublish,
      commandCallsFull: commandsFull.calls,
      rssBytesPer1000Clients: ((withClients.rssBytes - withSmall.rssBytes) * 1000) / (clients - smallClients),
      reconnectClients: reconnecting.length,
      reconnectEventsAway: awayEvents,
      reconnectLost: lost,
      duplicates: receipts.duplicates,
      failedPublishes: apps.reduce((sum, app) => sum + app.failedPublishes.length, 0),
      unexpectedReconnects: connected.reduce((sum, { client }) => sum + client.unexpectedReconnects, 0),
    }
  } finally {
    for (const { client } of connected) client.close()
    await Promise.all(apps.map((app) => app.stop()))
  }
}
