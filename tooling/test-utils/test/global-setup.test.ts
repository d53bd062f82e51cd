import { spawnSync } from 'node:child_process'
import { ENV, isAlive, ping, requireEnv, startRedisServer } from '@rediware/test-utils'
import { reapAbandoned, writeState } from '../src/state-file.js'

test('the global setup exports a standalone server', async () => {
  const url = new URL(requireEnv(ENV.redisUrl))
  await expect(ping({ host: url.hostname, port: Number(url.port) })).resolves.toBe(true)
})

test('requireEnv names the variable and the fix', () => {
  expect(() => requireEnv('REDIWARE_TEST_NOPE', {})).toThrow(
    /REDIWARE_TEST_NOPE is not set: run tests from the repo root/,
  )
})

test('servers recorded by a jest process that died are killed by the next setup', async () => {
  const server = await startRedisServer()
  try {
    const deadOwner = spawnSync('true').pid
    expect(isAlive(deadOwner)).toBe(false)
    writeState([{ pid: server.pid, port: server.port }], deadOwner)
    await reapAbandoned()
    expect(isAlive(server.pid)).toBe(false)
  } finally {
    await server.stop()
  }
})
