import { describeBackends, expressVersions, waitFor } from '@rediware/test-utils'
import { rateLimit } from '@rediware/rate-limit'
import { listen, parseSfList } from './helpers.js'

describeBackends('concurrency (in-flight) limit', (backend) => {
  test('holds a slot per in-flight request; released on finish and on client abort', async () => {
    const key = `conc-${Date.now()}`
    const gates: (() => void)[] = []
    let entered = 0
    const limiter = rateLimit({ redis: backend.client(), prefix: backend.prefix, concurrency: 2, key: () => key })
    const app = expressVersions[1].create()
    app.get('/quick', limiter, (_req, res) => {
      res.send('quick')
    })
    app.get('/', limiter, (_req, res) => {
      entered++
      gates.push(() => res.send('done'))
    })
    const server = await listen(app)
    try {
      const controller = new AbortController()
      const first = fetch(`${server.url}/`)
      const aborted = fetch(`${server.url}/`, { signal: controller.signal }).catch(() => 'aborted')
      await waitFor(async () => entered === 2, { description: 'two requests in the handler', timeout: 5_000 })

      const third = await fetch(`${server.url}/`)
      expect(third.status).toBe(429)
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(parseSfList(String(third.headers.get('ratelimit-policy')))).toEqual([
        { value: 'concurrency', params: { q: 2, qu: 'concurrent-requests' } },
      ])

      controller.abort()
      expect(await aborted).toBe('aborted')
      // The aborted request's slot comes back: a request that finishes at once gets in.
      await waitFor(async () => (await fetch(`${server.url}/quick`)).status === 200, {
        description: 'a slot to be free after the abort',
        timeout: 5_000,
      })
      // And its own slot was released when it finished: still one free slot.
      expect((await fetch(`${server.url}/quick`)).status).toBe(200)
      for (const open of gates.splice(0)) open()
      expect((await first).status).toBe(200)
    } finally {
      for (const open of gates.splice(0)) open()
      await server.close()
    }
  })
})
