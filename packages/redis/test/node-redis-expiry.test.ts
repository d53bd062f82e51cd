import { startRedisServer, type RedisServerHandle, waitFor } from '@rediware/test-utils'
import { createClient } from 'redis'
import { type Deadline, Deadlines, type ExpirySignal } from '../src/deadline.js'

/**
 * The node-redis adapter hands each command its deadline's `expiry` (not an AbortSignal) as
 * node-redis' `abortSignal`. This checks that node-redis honours it: a command that waits in its
 * queue while the connection is down is taken out when the deadline passes, never written later.
 */
describe('a deadline expiry as node-redis abortSignal', () => {
  let server: RedisServerHandle
  let client: ReturnType<typeof createClient>

  beforeAll(async () => {
    server = await startRedisServer()
    client = createClient({ url: server.url, socket: { reconnectStrategy: () => 50 } })
    client.on('error', () => undefined)
    await client.connect()
  })

  afterAll(async () => {
    await client.quit().catch(() => undefined)
    await server.stop()
  })

  const setWith = (pick: (deadline: Deadline) => ExpirySignal | undefined): Promise<string> =>
    new Deadlines({ succeeded: () => undefined, failed: (error) => error })
      .run(
        60,
        (deadline) => {
          const expiry = pick(deadline)
          // node-redis types the option as an AbortSignal; it reads only what ExpirySignal has.
          const options = expiry ? { abortSignal: expiry as unknown as AbortSignal } : {}
          return client.sendCommand(['SET', 'expiry-check', 'written'], options)
        },
        (reply) => String(reply),
      )
      .then(
        (reply) => `resolved ${reply}`,
        (error: { code?: string }) => `rejected ${error.code}`,
      )

  async function queuedWhileDown(pick: (deadline: Deadline) => ExpirySignal | undefined): Promise<[string, unknown]> {
    await client.del('expiry-check')
    await server.kill()
    const outcome = await setWith(pick)
    await server.restart()
    await waitFor(() => client.isReady, { description: 'node-redis reconnected' })
    // A command still in node-redis' queue is written before this GET, which follows it there.
    return [outcome, await client.get('expiry-check')]
  }

  it('takes a queued command out when the deadline passes', async () => {
    expect(await queuedWhileDown((deadline) => deadline.expiry)).toEqual(['rejected ERR_REDIS_TIMEOUT', null])
  })

  it('(control) without it, node-redis writes the command after the reconnect', async () => {
    expect(await queuedWhileDown(() => undefined)).toEqual(['rejected ERR_REDIS_TIMEOUT', 'written'])
  })

  it('leaves a command that is answered alone', async () => {
    expect(await setWith((deadline) => deadline.expiry)).toBe('resolved OK')
  })
})
