import { commands } from '@rediware/redis'
import { describeBackends } from '@rediware/test-utils'
import { RedisStore } from '../src/index.js'
import { countingClient, eventLog, sessionData } from './helpers.js'

describeBackends('concurrent reads share one pipeline', (backend) => {
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
    Promise.all([...Array.from({ length: 10 }, (_, index) => store.get(`s${index}`)), store.get('missing'), store.get('bad')])

  const expectAnswers = (answers: Awaited<ReturnType<typeof readAll>>) => {
    for (let index = 0; index < 10; index += 1) expect(answers[index]).toMatchObject({ n: index })
    expect(answers[10]).toBeNull()
    expect(answers[11]).toBeNull()
  }

  test('every read gets its own answer (found, missing, corrupt), in one round trip on networked backends', async () => {
    const { store, counting, log, prefix } = await setup()
    const answers = await readAll(store)
    expectAnswers(answers)
    expect(log.events.filter((event) => event.type === 'corrupt-session')).toHaveLength(1)
    expect(await backend.client().exists(`${prefix}bad`)).toBe(0)
    if (backend.name === 'ioredis' || backend.name === 'upstash') expect(counting.names).toEqual(['batch'])
    else expect(counting.names.every((name) => name === 'script:session-read')).toBe(true)
  })

  if (backend.name === 'ioredis') {
    test('after SCRIPT FLUSH (NOSCRIPT for the whole pipeline) each read is re-sent on its own and answers', async () => {
      const { store } = await setup()
      await backend.client().batch([commands.raw('SCRIPT', ['FLUSH'])])
      expectAnswers(await readAll(store))
      // and the next pipeline works again
      expectAnswers(await readAll(store))
    })
  }
})
