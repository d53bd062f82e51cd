import type { Socket } from 'node:net'
import { fromIoredis } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'
import { RedisStore } from '../src/index.js'
import { countingClient, eventLog, sessionData } from './helpers.js'

describeBackends('concurrent reads share the transport', (backend) => {
  let counter = 0
  const setup = async () => {
    counter += 1
    const prefix = `${backend.prefix}b${counter}:`
    const writer = new RedisStore({ redis: backend.client(), prefix, onEvent: () => undefined })
    for (let index = 0; index < 10; index += 1) await writer.set(`s${index}`, sessionData({ n: index }))
    await backend.client().hset(`${prefix}bad`, { f: 'v' })
    const counting = countingClient(backend.client())
    const log = eventLog()
    const store = new RedisStore({ redis: counting.client, prefix, onEvent: log.onEvent })
    await store.get('s0') // a lone read: sent on its own, and loads the script if the server lacked it
    counting.names.length = 0
    return { store, counting, log, prefix }
  }

  const readAll = (store: RedisStore) =>
    Promise.all([
      ...Array.from({ length: 10 }, (_, index) => store.get(`s${index}`)),
      store.get('missing'),
      store.get('bad'),
    ])

  const expectAnswers = (answers: Awaited<ReturnType<typeof readAll>>) => {
    for (let index = 0; index < 10; index += 1) expect(answers[index]).toMatchObject({ n: index })
    expect(answers[10]).toBeNull()
    expect(answers[11]).toBeNull()
  }

  test('every read gets its own answer (found, missing, corrupt); on Upstash in one pipeline (one HTTP request)', async () => {
    const { store, counting, log, prefix } = await setup()
    const answers = await readAll(store)
    expectAnswers(answers)
    expect(log.events.filter((event) => event.type === 'corrupt-session')).toHaveLength(1)
    expect(await backend.client().exists(`${prefix}bad`)).toBe(0)
    if (backend.name === 'upstash') expect(counting.names).toEqual(['batch'])
    else expect(counting.names).toEqual(Array.from({ length: 12 }, () => 'script:session-read'))
  })

  if (backend.name === 'ioredis') {
    test('on ioredis the 12 concurrent reads leave in at most two socket writes (the client coalesces them)', async () => {
      const { prefix } = await setup()
      const raw = backend.newRaw()
      try {
        const store = new RedisStore({ redis: fromIoredis(raw), prefix, onEvent: () => undefined })
        expect(await store.get('s0')).toMatchObject({ n: 0 }) // connected, and the script is loaded
        const socket = raw.stream as Socket
        let writes = 0
        const write = socket._write
        const writev = socket._writev
        socket._write = (...args: Parameters<Socket['_write']>) => {
          writes += 1
          write.apply(socket, args)
        }
        if (writev) {
          socket._writev = (...args: Parameters<NonNullable<Socket['_writev']>>) => {
            writes += 1
            writev.apply(socket, args)
          }
        }
        expectAnswers(await readAll(store))
        expect(writes).toBeGreaterThanOrEqual(1)
        expect(writes).toBeLessThanOrEqual(2)
      } finally {
        raw.disconnect()
      }
    })
  }

  if (backend.name === 'ioredis' || backend.name === 'upstash') {
    test('after SCRIPT FLUSH (NOSCRIPT for every read of the turn) each read falls back to EVAL and answers', async () => {
      const { store } = await setup()
      await backend.flushScripts()
      expectAnswers(await readAll(store))
      // and the next turn's reads work again
      expectAnswers(await readAll(store))
    })
  }
})
