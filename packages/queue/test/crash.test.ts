import { describeBackends, waitFor } from '@rediware/test-utils'
import { childAddress, killAllChildren, spawnWorker } from './child/spawn-worker.js'
import { closeAll, makeQueue, waitForState } from './helpers.js'

afterEach(async () => {
  killAllChildren()
  await closeAll()
})

// The memory backend lives in one process: a worker in another process cannot share it (the
// in-process version of this guarantee is leases.test.ts, with a worker cut off from Redis).
describeBackends(
  'a worker killed with SIGKILL',
  (backend) => {
    test('loses its lease; the job runs again after its backoff, the stall counted as an attempt', async () => {
      const { queue, events } = makeQueue<{ ms?: number }>(backend)
      const child = await spawnWorker({
        ...childAddress(backend),
        name: queue.name,
        prefix: backend.prefix,
        mode: 'hang',
        concurrency: 1,
        lease: 500,
      })
      const added = await queue.add({}, { attempts: 3, backoff: { type: 'fixed', delay: 300 } })
      await waitFor(() => child.messages.some((message) => message.type === 'start'), {
        description: 'the child to start the job',
        timeout: 15_000,
      })
      await child.kill()
      const killedAt = Date.now()
      let startedAgainAt = 0
      queue.process(() => {
        startedAgainAt = Date.now()
        return 'survived'
      })
      await waitForState(queue, added.id, 'completed', 15_000)
      // At least the rest of the lease, then the whole backoff.
      expect(startedAgainAt - killedAt).toBeGreaterThanOrEqual(300)
      expect(await queue.getJob(added.id)).toMatchObject({ attempt: 2, stalls: 1, result: 'survived', error: null })
      expect(events.of('stalled')).toMatchObject([{ id: added.id, attempt: 1, willRetry: true }])
    }, 40_000)
  },
  { only: ['ioredis', 'cluster', 'upstash'] },
)
