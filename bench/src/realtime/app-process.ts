// One app process of the realtime benchmark: `node --import tsx app-process.ts <contender> <redisUrl>`,
// spawned by the load process with an IPC channel. It serves the contender's stream on an ephemeral
// port, publishes when told to, and reports its own CPU time and RSS.
import { createServer } from 'node:http'
import { type ContenderId, startFanOut } from './contenders.js'
import { type FromApp, nowMs, type Tick, tickBody, type ToApp } from './protocol.js'

const [id, redisUrl] = process.argv.slice(2) as [ContenderId, string]
const send = (message: FromApp) => process.send?.(message)
const server = createServer()
// Thousands of idle streams: Node's default timeouts would cut them.
server.requestTimeout = 0
server.headersTimeout = 0
server.keepAliveTimeout = 0
const fanOut = await startFanOut(id, redisUrl, server)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const address = server.address()
if (address === null || typeof address === 'string') throw new Error('no TCP address')

process.on('message', (message: ToApp) => {
  if (message.type === 'publish') {
    const tick: Tick = { n: message.n, at: nowMs(), body: tickBody }
    fanOut.publish(tick).catch((error: unknown) => {
      send({ type: 'publish-failed', n: message.n, message: String(error) })
    })
  } else if (message.type === 'usage') {
    // Started with --expose-gc: RSS after a full collection says what the connections hold, not garbage.
    const collect = (globalThis as { gc?: () => void }).gc
    collect?.()
    const cpu = process.cpuUsage()
    send({ type: 'usage', id: message.id, cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() })
  } else {
    server.closeAllConnections()
    void fanOut.close().finally(() => process.exit(0))
  }
})
// The load process gone (crashed or killed): leave nothing behind.
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', port: address.port })
