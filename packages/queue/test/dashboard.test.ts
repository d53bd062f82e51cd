import { UnrecoverableError } from '@rediware/queue'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { Request } from 'express'
import request from 'supertest'
import { closeAll, makeQueue, waitForState } from './helpers.js'

afterEach(closeAll)

/** The CSRF cookie and token a real page load hands the browser. */
async function pageSession(agent: ReturnType<typeof request.agent>): Promise<string> {
  const page = await agent.get('/admin/queues/').set('x-admin', 'yes').expect(200)
  const token = /<meta name="csrf-token" content="([^"]+)"/.exec(page.text)?.[1]
  if (!token) throw new Error('no token on the page')
  return token
}

describeBackends('queue.router() dashboard', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      async function setup() {
        const { queue } = makeQueue<{ to: string }>(backend)
        const app = version.create()
        app.use('/admin/queues', queue.router<Request>({ authorize: (req) => req.get('x-admin') === 'yes' }))
        app.use((_req, res) => {
          res.status(404).send('app 404')
        })
        const failed = await queue.add({ to: '<script>alert(1)</script>' }, { attempts: 1 })
        const waiting = await queue.add({ to: 'later@example.com' }, { delay: '1 h' })
        const worker = queue.process(() => {
          throw new UnrecoverableError('mailbox <full>')
        })
        await waitForState(queue, failed.id, 'failed')
        await worker.close()
        return { queue, app, failed, waiting }
      }

      test('refuses every request, page and API, unless authorize allows it', async () => {
        const { app, failed } = await setup()
        await request(app).get('/admin/queues/').expect(403)
        await request(app).get('/admin/queues/api/counts').expect(403, { error: 'forbidden' })
        await request(app).get(`/admin/queues/api/jobs/${failed.id}`).expect(403)
        await request(app).post(`/admin/queues/api/jobs/${failed.id}/retry`).expect(403)
        await request(app).get('/admin/queues/api/counts').set('x-admin', 'no').expect(403)
      })

      test('the JSON API: counts, jobs by state, one job with data and error', async () => {
        const { app, failed, waiting } = await setup()
        const counts = await request(app).get('/admin/queues/api/counts').set('x-admin', 'yes').expect(200)
        expect(counts.body).toEqual({ waiting: 0, delayed: 1, active: 0, completed: 0, failed: 1 })
        const list = await request(app).get('/admin/queues/api/jobs?state=failed').set('x-admin', 'yes').expect(200)
        expect(list.body.total).toBe(1)
        expect(list.body.jobs.map((job: { id: string }) => job.id)).toEqual([failed.id])
        const job = await request(app)
          .get(`/admin/queues/api/jobs/${encodeURIComponent(failed.id)}`)
          .set('x-admin', 'yes')
          .expect(200)
        expect(job.body).toMatchObject({
          id: failed.id,
          state: 'failed',
          attempt: 1,
          data: { to: '<script>alert(1)</script>' },
        })
        expect(job.body.error).toMatch(/^UnrecoverableError: mailbox <full>/)
        expect(job.headers['cache-control']).toBe('no-store')
        await request(app).get('/admin/queues/api/jobs/nope').set('x-admin', 'yes').expect(404)
        const delayed = await request(app)
          .get('/admin/queues/api/jobs?state=delayed&limit=5')
          .set('x-admin', 'yes')
          .expect(200)
        expect(delayed.body.jobs[0]?.id).toBe(waiting.id)
        await request(app).get('/admin/queues/elsewhere').set('x-admin', 'yes').expect(404, 'app 404')
      })

      test('the page shows counts, the jobs of a state and a job, with everything escaped and a strict CSP', async () => {
        const { app, failed } = await setup()
        const list = await request(app).get('/admin/queues/?state=failed').set('x-admin', 'yes').expect(200)
        expect(list.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'nonce-/)
        expect(list.text).toContain(`data-count="failed">1<`)
        expect(list.text).toContain(failed.id)
        expect(list.text).toContain('mailbox &lt;full&gt;')
        const detail = await request(app)
          .get(`/admin/queues/?job=${encodeURIComponent(failed.id)}`)
          .set('x-admin', 'yes')
          .expect(200)
        expect(detail.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
        expect(detail.text).not.toContain('<script>alert(1)')
        expect(detail.text).toContain('data-action="retry"')
      })

      test('POST actions need the page token (double submit) and a same-origin request', async () => {
        const { app, queue, failed } = await setup()
        const agent = request.agent(app)
        const token = await pageSession(agent)
        const path = `/admin/queues/api/jobs/${encodeURIComponent(failed.id)}/retry`
        await agent.post(path).set('x-admin', 'yes').expect(403)
        await agent.post(path).set('x-admin', 'yes').set('x-csrf-token', 'x'.repeat(32)).expect(403)
        await request(app).post(path).set('x-admin', 'yes').set('x-csrf-token', token).expect(403)
        await agent
          .post(path)
          .set('x-admin', 'yes')
          .set('x-csrf-token', token)
          .set('Sec-Fetch-Site', 'cross-site')
          .expect(403)
        await agent
          .post(path)
          .set('x-admin', 'yes')
          .set('x-csrf-token', token)
          .set('Origin', 'https://evil.example')
          .expect(403)
        expect((await queue.getJob(failed.id))?.state).toBe('failed')
        const retried = await agent.post(path).set('x-admin', 'yes').set('x-csrf-token', token).expect(200)
        expect(retried.body).toEqual({ id: failed.id, retried: true })
        expect((await queue.getJob(failed.id))?.state).toBe('waiting')
        await agent.post(path).set('x-admin', 'yes').set('x-csrf-token', token).expect(409)
        const removePath = `/admin/queues/api/jobs/${encodeURIComponent(failed.id)}/remove`
        await agent
          .post(removePath)
          .set('x-admin', 'yes')
          .set('x-csrf-token', token)
          .expect(200, { id: failed.id, removed: true })
        expect(await queue.getJob(failed.id)).toBeNull()
      })
    })
  }
})
