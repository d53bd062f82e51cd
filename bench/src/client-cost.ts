import { defineScript, fromIoredis } from '@rediware/redis'
import { startRedisServer } from '@rediware/test-utils'
import { Redis } from 'ioredis'
import { ownCpuMicrosPerCall } from './cpu-usage.js'

/**
 * App CPU per script call, ioredis EVALSHA called directly against the same call through
 * @rediware/redis (deadline, breaker, coalesced writes), 32 calls in flight, 5 measured rounds after
 * one warm-up, taking turns. Shows what the client layer adds to (or saves on) ioredis.
 */
const calls = 40_000
const lua = "return redis.call('INCR', KEYS[1])"
const script = defineScript({ name: 'incr', keys: 1, lua, local: () => 1 })

const cpuPer = (run: () => Promise<unknown>): Promise<number> => ownCpuMicrosPerCall(calls, 32, run)

async function main() {
  const server = await startRedisServer()
  const raw = new Redis(server.url)
  const client = fromIoredis(new Redis(server.url))
  await raw.script('LOAD', lua)
  const contenders: [string, () => Promise<unknown>][] = [
    ['ioredis evalsha', () => raw.evalsha(script.sha, 1, 'k:raw', 'a', 'b', 'c')],
    ['@rediware/redis runScript', () => client.runScript(script, ['k:ours'], ['a', 'b', 'c'])],
  ]
  const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]))
  for (let round = 0; round < 6; round += 1) {
    for (const [name, run] of contenders) {
      const value = await cpuPer(run)
      if (round > 0) samples.get(name)?.push(value)
    }
  }
  for (const [name, values] of samples) console.log(name.padEnd(30), values.map((v) => v.toFixed(1)).join(', '))
  raw.disconnect()
  await client.close()
  await server.stop()
  process.exit(0)
}
main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
