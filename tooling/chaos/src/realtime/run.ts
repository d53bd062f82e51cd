import { randomBytes } from 'node:crypto'
import { createClient, type RedisClient } from '@rediware/redis'
import { createRealtime, type Realtime } from '@rediware/realtime'
import { type ChaosBackendName, startChaosBackend } from '../backends.js'
import { type AppProcess, AppFleet } from './apps.js'
import { ResumingReader } from './reader.js'

export interface RealtimeChaosSettings {
  /** App processes serving streams at any time. */
  apps: number
  /** SSE readers (browsers), spread over the app processes. */
  readers: number
  /** How long events are published, one at a time, with `publishEveryMs` between them. */
  publishMs: number
  publishEveryMs: number
  /** When Redis is killed (SIGKILL, every server of the backend), and for how long, from the first publish. */
  redisKillAtMs: number
  redisDownMs: number
  /** When one app process is SIGKILLed (and replaced), from the first publish. */
  appKillAtMs: number
  /** How long readers may take to catch up after the last publish. */
  settleMs: number
}

export interface RealtimeChaosRow {
  backend: ChaosBackendName
  readers: number
  /** Publishes that resolved (an id) and that rejected. */
  published: number
  rejected: number
  faults: string[]
  /** Over all readers: resolved publishes a reader never got (must be 0). */
  missed: number
  /** Events a reader got twice (must be 0). */
  duplicated: number
  /** Events a reader got before one published earlier (must be 0). */
  outOfOrder: number
  /** `reset` events (the history outlived the outage, so must be 0). */
  resets: number
  /** Rejected publishes that readers got anyway (allowed: a publish can reach the log after its deadline). */
  rejectedButDelivered: number
  reconnects: number
  seconds: number
  problems: string[]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * App processes stream one channel to resuming SSE readers while a publisher publishes numbered
 * events; Redis is killed and restarted and an app process is SIGKILLed meanwhile. Every event
 * whose publish resolved must reach every reader once, in order.
 */
export async function runRealtimeChaos(
  name: ChaosBackendName,
  settings: RealtimeChaosSettings,
  entry: string,
  log: (line: string) => void = () => undefined,
): Promise<RealtimeChaosRow> {
  const started = Date.now()
  const backend = await startChaosBackend(name)
  const env = {
    ...backend.env,
    CHAOS_PREFIX: `rtchaos:${randomBytes(4).toString('hex')}:`,
    CHAOS_REDIS_TIMEOUT: '2000',
  }
  const problems: string[] = []
  const fleet = new AppFleet(entry, env, (detail) => {
    if (problems.length < 10) problems.push(detail)
  })
  const apps: AppProcess[] = []
  const readers: ResumingReader[] = []
  const faults: string[] = []
  let client: RedisClient | undefined
  let rt: Realtime | undefined
  try {
    apps.push(...(await Promise.all(Array.from({ length: settings.apps }, () => fleet.start()))))
    const urls = () => apps.map((app) => app.url)
    for (let index = 0; index < settings.readers; index += 1) readers.push(new ResumingReader(urls, index))
    const positionedBy = Date.now() + 30_000
    while (!readers.every((reader) => reader.positioned) && Date.now() < positionedBy) await sleep(20)
    if (!readers.every((reader) => reader.positioned)) throw new Error('readers did not connect in 30 s')
    client = createClient(env, { timeout: 2000 })
    const publisher = createRealtime({
      redis: client,
      prefix: env.CHAOS_PREFIX,
      history: { maxLen: 100_000, ttl: '1 h' },
      warn: () => undefined,
      onError: () => undefined,
    })
    rt = publisher
    log(
      `[realtime chaos] ${name}: ${settings.apps} app processes, ${settings.readers} readers connected in ${Date.now() - started} ms`,
    )

    const ok: number[] = []
    const rejected = new Set<number>()
    const publishing = (async () => {
      const begin = Date.now()
      for (let seq = 0; Date.now() - begin < settings.publishMs; seq += 1) {
        await publisher.publish('chaos', { type: 'tick', data: { seq } }).then(
          () => ok.push(seq),
          () => rejected.add(seq),
        )
        await sleep(settings.publishEveryMs)
      }
    })()
    const redisFault = (async () => {
      await sleep(settings.redisKillAtMs)
      const servers = backend.servers()
      await Promise.all(servers.map((server) => server.kill()))
      await sleep(settings.redisDownMs)
      await Promise.all(servers.map((server) => server.restart()))
      faults.push(
        `Redis killed (${servers.length} server(s), SIGKILL) for ${settings.redisDownMs} ms, restarted from its AOF`,
      )
      log(`[realtime chaos] ${name}: ${faults.at(-1)}`)
    })()
    const appFault = (async () => {
      await sleep(settings.appKillAtMs)
      const victim = apps.shift()
      if (!victim) return
      await victim.kill()
      apps.push(await fleet.start())
      faults.push(`app process ${victim.index} killed (SIGKILL) and replaced`)
      log(`[realtime chaos] ${name}: ${faults.at(-1)}`)
    })()
    await Promise.all([publishing, redisFault, appFault])
    const settleBy = Date.now() + settings.settleMs
    const caughtUp = () => readers.every((reader) => ok.every((seq) => reader.received.includes(seq)))
    while (!caughtUp() && Date.now() < settleBy) await sleep(100)
    await Promise.all(readers.map((reader) => reader.stop()))

    const okSet = new Set(ok)
    let missed = 0
    let duplicated = 0
    let outOfOrder = 0
    let rejectedButDelivered = 0
    readers.forEach((reader, index) => {
      const got = new Set(reader.received)
      const lost = ok.filter((seq) => !got.has(seq))
      const reordered = reader.received.filter((seq, at) => at > 0 && seq <= (reader.received[at - 1] ?? -1))
      missed += lost.length
      duplicated += reader.received.length - got.size
      outOfOrder += reordered.length
      rejectedButDelivered += [...got].filter((seq) => !okSet.has(seq) && rejected.has(seq)).length
      if (lost.length > 0 || reordered.length > 0 || reader.received.length > got.size || reader.resets > 0) {
        // What the next investigation needs: which events, and the reader's connections and resets.
        log(
          `[realtime chaos] ${name}: reader ${index} (${reader.connections} connection(s), ${reader.resets} reset(s)) missed [${lost.slice(0, 20).join(',')}], ` +
            `got out of order [${reordered.slice(0, 20).join(',')}], received ${reader.received.length} of ${ok.length} (first ${reader.received.slice(0, 5).join(',')}, rejected publishes ${[...rejected].slice(0, 20).join(',')})`,
        )
      }
    })
    return {
      backend: name,
      readers: settings.readers,
      published: ok.length,
      rejected: rejected.size,
      faults,
      missed,
      duplicated,
      outOfOrder,
      resets: readers.reduce((sum, reader) => sum + reader.resets, 0),
      rejectedButDelivered,
      reconnects: readers.reduce((sum, reader) => sum + reader.connections, 0) - readers.length,
      seconds: Math.round((Date.now() - started) / 1000),
      problems,
    }
  } finally {
    await Promise.all(readers.map((reader) => reader.stop()))
    await rt?.close().catch(() => undefined)
    await client?.close().catch(() => undefined)
    await fleet.stop()
    await backend.stop()
  }
}

export const realtimeRowPasses = (row: RealtimeChaosRow): boolean =>
  row.published > 0 &&
  row.missed === 0 &&
  row.duplicated === 0 &&
  row.outOfOrder === 0 &&
  row.resets === 0 &&
  row.problems.length === 0

export function realtimeMarkdownTable(rows: readonly RealtimeChaosRow[]): string {
  return [
    '| backend | SSE readers | faults | publishes resolved (rejected) | missed | duplicated | out of order | resets | rejected but delivered | reconnects | seconds |',
    '| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.backend} | ${row.readers} | ${row.faults.join('; ') || 'none'} | ${row.published} (${row.rejected}) | ${row.missed} | ${row.duplicated} | ${row.outOfOrder} | ${row.resets} | ${row.rejectedButDelivered} | ${row.reconnects} | ${row.seconds} |`,
    ),
  ].join('\n')
}
