import { join } from 'node:path'
import { waitFor } from '@rediware/test-utils'
import { type Fleet, startFleet } from '../src/fleet.js'
import { request } from '../src/http.js'

// The chaos figures are only as good as the runner's eyes: prove it sees what it must count as 0.
describe('fleet reporting', () => {
  let fleet: Fleet

  beforeAll(async () => {
    // No backend variables: the memory backend is enough to misbehave on purpose.
    fleet = await startFleet(join(__dirname, '..', 'src', 'app-process.ts'), 2, {
      CHAOS_SELF_TEST: '1',
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: '',
      UPSTASH_REDIS_REST_URL: '',
      UPSTASH_REDIS_REST_TOKEN: '',
    })
  }, 60_000)

  afterAll(() => fleet?.stop())

  test('an unhandled rejection in an app process is counted, and the process keeps serving', async () => {
    expect((await request(fleet.ports[0] as number, 'GET', '/selftest/reject', 5000)).status).toBe(200)
    await waitFor(() => fleet.events.unhandledRejections === 1, { description: 'the rejection to be reported' })
    expect((await request(fleet.ports[0] as number, 'GET', '/api/items/1', 5000)).status).toBe(200)
    expect(fleet.takeEvents()).toMatchObject({ unhandledRejections: 1, uncaughtExceptions: 0, crashes: 0 })
  })

  test('a request that is never answered counts as hung at its deadline', async () => {
    const answer = await request(fleet.ports[0] as number, 'GET', '/selftest/hang', 300)
    expect(answer.status).toBe('hung')
    expect(answer.ms).toBeGreaterThanOrEqual(290)
  })

  test('an uncaught exception is counted and the process exit is counted as a crash', async () => {
    expect((await request(fleet.ports[1] as number, 'GET', '/selftest/throw', 5000)).status).toBe(200)
    await waitFor(() => fleet.events.crashes === 1, { description: 'the crash to be reported' })
    expect(fleet.takeEvents()).toMatchObject({ unhandledRejections: 0, uncaughtExceptions: 1, crashes: 1 })
  })
})
