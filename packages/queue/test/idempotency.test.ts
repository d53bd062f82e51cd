import type { IncomingMessage, ServerResponse } from 'node:http'
import { idempotency, type IdempotencyEvent } from '@rediware/queue'
import { describeBackends, expressVersions } from '@rediware/test-utils'
import type { Application, NextFunction, Request, Response } from 'express'
import request from 'supertest'
import { sleep, uniqueName } from './helpers.js'

/** A JSON body parser (what express.json() does), so the test does not depend on one Express's export. */
function json(req: Request, _res: Response, next: NextFunction): void {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8')
    req.body = text === '' ? undefined : JSON.parse(text)
    next()
  })
}

describeBackends('idempotency()', (backend) => {
  for (const version of expressVersions) {
    describe(version.name, () => {
      function app(options: Partial<Parameters<typeof idempotency<Request>>[0]> = {}) {
        const events: IdempotencyEvent[] = []
        let calls = 0
        let gate: Promise<void> = Promise.resolve()
        const server: Application = version.create()
        server.use(json)
        server.post(
          '/orders',
          idempotency<Request>({
            redis: backend.client(),
            prefix: `${backend.prefix}idem:${uniqueName()}:`,
            scope: (req) => req.get('x-user'),
            onEvent: (event) => events.push(event),
            ...options,
          }),
          async (req, res) => {
            calls += 1
            await gate
            if (req.body?.fail) return void res.status(500).json({ error: 'database down' })
            res.status(201).set('Location', `/orders/${calls}`).json({ order: calls, item: req.body?.item })
          },
        )
        return {
          server,
          events,
          calls: () => calls,
          hold: () => {
            let release = () => {}
            gate = new Promise((resolve) => {
              release = resolve
            })
            return release
          },
        }
      }

      test('the same key and body replays the stored response; the handler runs once', async () => {
        const { server, calls, events } = app()
        const first = await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-1')
          .send({ item: 'book' })
          .expect(201)
        const second = await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-1')
          .send({ item: 'book' })
          .expect(201)
        expect(second.body).toEqual(first.body)
        expect(second.headers.location).toBe(first.headers.location)
        expect(second.headers['content-type']).toBe(first.headers['content-type'])
        expect(second.headers['idempotent-replayed']).toBe('true')
        expect(first.headers['idempotent-replayed']).toBeUndefined()
        expect(calls()).toBe(1)
        expect(events.map((event) => event.type)).toEqual(['stored', 'replayed'])
      })

      test('the response is stored before it leaves: an immediate retry after a script flush is a replay, not a 409', async () => {
        const { server, calls } = app()
        for (let round = 0; round < 3; round += 1) {
          await backend.flushScripts()
          const first = await request(server)
            .post('/orders')
            .set('Idempotency-Key', `k-flush-${round}`)
            .send({ item: 'x' })
            .expect(201)
          const again = await request(server)
            .post('/orders')
            .set('Idempotency-Key', `k-flush-${round}`)
            .send({ item: 'x' })
          expect([again.status, again.body]).toEqual([201, first.body])
        }
        expect(calls()).toBe(3)
      })

      test('key order in the body does not matter; a different body with the same key → 422', async () => {
        const { server, calls } = app()
        await request(server).post('/orders').set('Idempotency-Key', 'k-2').send({ item: 'pen', qty: 1 }).expect(201)
        await request(server).post('/orders').set('Idempotency-Key', 'k-2').send({ qty: 1, item: 'pen' }).expect(201)
        const mismatch = await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-2')
          .send({ item: 'ink', qty: 1 })
          .expect(422)
        expect(mismatch.body.error).toMatch(/different request/)
        expect(calls()).toBe(1)
      })

      test('a duplicate while the first is in flight → 409; after it finishes, the replay', async () => {
        const { server, calls, hold } = app()
        const release = hold()
        const first = request(server).post('/orders').set('Idempotency-Key', 'k-3').send({ item: 'lamp' })
        const firstDone = first.then((res) => res)
        await sleep(150)
        const busy = await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-3')
          .send({ item: 'lamp' })
          .expect(409)
        expect(busy.headers['retry-after']).toBe('1')
        release()
        const original = await firstDone
        expect(original.status).toBe(201)
        const replayed = await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-3')
          .send({ item: 'lamp' })
          .expect(201)
        expect(replayed.body).toEqual(original.body)
        expect(calls()).toBe(1)
      })

      test('keys are scoped: the same key from two users is two requests', async () => {
        const { server, calls } = app()
        await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-4')
          .set('x-user', 'ann')
          .send({ item: 'a' })
          .expect(201)
        await request(server)
          .post('/orders')
          .set('Idempotency-Key', 'k-4')
          .set('x-user', 'bob')
          .send({ item: 'b' })
          .expect(201)
        expect(calls()).toBe(2)
      })

      test('a 5xx is not stored: the retry runs again', async () => {
        const { server, calls } = app()
        await request(server).post('/orders').set('Idempotency-Key', 'k-5').send({ fail: true }).expect(500)
        await sleep(50)
        await request(server).post('/orders').set('Idempotency-Key', 'k-5').send({ fail: true }).expect(500)
        expect(calls()).toBe(2)
      })

      test('no key passes through; `required` answers 400; a malformed key → 400', async () => {
        const open = app()
        await request(open.server).post('/orders').send({ item: 'x' }).expect(201)
        await request(open.server).post('/orders').send({ item: 'x' }).expect(201)
        expect(open.calls()).toBe(2)
        await request(open.server).post('/orders').set('Idempotency-Key', 'x'.repeat(256)).send({}).expect(400)
        const strict = app({ required: true })
        await request(strict.server).post('/orders').send({ item: 'x' }).expect(400)
        expect(strict.calls()).toBe(0)
      })

      test('the stored response lives at most ttl, then the key runs again', async () => {
        const { server, calls } = app({ ttl: 300 })
        await request(server).post('/orders').set('Idempotency-Key', 'k-6').send({ item: 'x' }).expect(201)
        await request(server).post('/orders').set('Idempotency-Key', 'k-6').send({ item: 'x' }).expect(201)
        expect(calls()).toBe(1)
        await sleep(400)
        await request(server).post('/orders').set('Idempotency-Key', 'k-6').send({ item: 'x' }).expect(201)
        expect(calls()).toBe(2)
      })
    })
  }
})

test('options are checked', () => {
  expect(() => idempotency({ ttl: '60 d' })).toThrow(/ttl must be at most 30 days/)
  expect(() => idempotency({ onUnavailable: 'ignore' as never })).toThrow(/onUnavailable must be one of 'fail', 'pass'/)
  expect(() => idempotency({ scope: 'user' as never })).toThrow(/scope must be a function/)
  expect(() => idempotency({ ttl: 1000, colour: 1 } as never)).toThrow(/unknown option "colour"/)
  const handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void = idempotency({
    warn: () => undefined,
  })
  expect(typeof handler).toBe('function')
})
