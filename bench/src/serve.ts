import type { AddressInfo } from 'node:net'
import { allScenarios } from './scenarios/index.js'

/** Child-process entry: builds one scenario's app and prints `LISTENING <port>` once it listens. */
async function main(): Promise<void> {
  const [id] = process.argv.slice(2)
  const scenario = allScenarios().find((candidate) => candidate.id === id)
  if (!scenario) throw new Error(`Unknown scenario "${id}"`)
  const app = await scenario.build({
    redisUrl: process.env.BENCH_REDIS_URL ?? '',
    upstashUrl: process.env.BENCH_UPSTASH_URL ?? '',
    upstashToken: process.env.BENCH_UPSTASH_TOKEN ?? '',
  })
  const server = app.listen(0, '127.0.0.1', () => {
    process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`)
  })
}

process.on('SIGINT', () => process.exit(0))
// The parent holds our stdin open; when it goes away (even killed), stdin ends and so do we.
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
