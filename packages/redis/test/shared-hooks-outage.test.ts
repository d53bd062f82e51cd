import { fromIoredis, OutageReporter, optionReader, resolveHooks } from '@rediware/redis'
import { startRedisServer, waitFor } from '@rediware/test-utils'
import { Redis } from 'ioredis'

const reader = optionReader('@rediware/demo')

describe('resolveHooks', () => {
  it('logs outages through warn by default, and warns once per code', () => {
    const messages: string[] = []
    const hooks = resolveHooks(reader, { warn: (message) => messages.push(message) })
    hooks.error(new Error('connect ECONNREFUSED'))
    hooks.warnOnce('a', 'first')
    hooks.warnOnce('a', 'again')
    hooks.warnOnce('b', 'second')
    expect(messages).toEqual(['[@rediware/demo] Redis is failing (connect ECONNREFUSED).', 'first', 'second'])
    expect(hooks.listening).toBe(false)
  })

  it('never lets a throwing hook escape', () => {
    const hooks = resolveHooks<string>(reader, {
      onError: () => {
        throw new Error('logger down')
      },
      onEvent: () => {
        throw new Error('metrics down')
      },
      warn: () => {
        throw new Error('console down')
      },
    })
    expect(() => hooks.error('boom')).not.toThrow()
    expect(() => hooks.event('hit')).not.toThrow()
    expect(() => hooks.warnOnce('x', 'y')).not.toThrow()
    expect(hooks.listening).toBe(true)
  })

  it('refuses hooks that are not functions, naming them', () => {
    expect(() => resolveHooks(reader, { onError: 'log' as never })).toThrow(
      new TypeError('@rediware/demo: onError must be a function (error) => void; got the string "log".'),
    )
    expect(() => resolveHooks(reader, { onEvent: 1 as never })).toThrow(/onEvent must be a function/)
    expect(() => resolveHooks(reader, { warn: {} as never })).toThrow(/warn must be a function/)
  })
})

describe('OutageReporter', () => {
  it('reports once per outage and once on recovery', () => {
    const log: string[] = []
    const outage = new OutageReporter({
      onOutage: (error) => log.push(`down: ${error.message}`),
      onRecovery: () => log.push('up'),
    })
    expect(outage.failed(new Error('a'))).toBe(true)
    expect(outage.failed(new Error('b'))).toBe(false)
    expect(outage.inOutage).toBe(true)
    outage.succeeded()
    outage.succeeded()
    outage.failed('c')
    expect(log).toEqual(['down: a', 'up', 'down: c'])
  })

  it('ends a scoped outage only on a success of that scope (or an unscoped one)', () => {
    const log: string[] = []
    const outage = new OutageReporter({ onOutage: () => log.push('down'), onRecovery: () => log.push('up') })
    outage.failed(new Error('OOM'), 'write')
    expect(outage.scope).toBe('write')
    outage.succeeded('read')
    expect(outage.inOutage).toBe(true)
    outage.succeeded('write')
    expect(outage.inOutage).toBe(false)
    outage.failed(new Error('ECONNREFUSED'))
    outage.succeeded('read')
    expect(log).toEqual(['down', 'up', 'down', 'up'])
  })

  it('survives throwing hooks', () => {
    const outage = new OutageReporter({
      onOutage: () => {
        throw new Error('x')
      },
      onRecovery: () => {
        throw new Error('y')
      },
    })
    expect(() => outage.failed(new Error('a'))).not.toThrow()
    expect(() => outage.succeeded()).not.toThrow()
  })

  it('ends an unscoped outage when the client it follows is ready again, not a scoped one', async () => {
    const server = await startRedisServer()
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    const client = fromIoredis(redis, { timeout: 100, breaker: { failureThreshold: 1, cooldown: 50 } })
    try {
      await client.ping({ timeout: 2000 })
      const log: string[] = []
      const unscoped = new OutageReporter({ onOutage: () => log.push('down'), onRecovery: () => log.push('up') })
      const scoped = new OutageReporter({
        onOutage: () => log.push('writes down'),
        onRecovery: () => log.push('writes up'),
      })
      const stops = [unscoped.follow(client), scoped.follow(client)]
      await server.pause(400)
      const error = await client.get('k').catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'ERR_REDIS_TIMEOUT' })
      expect(client.state).toBe('down')
      unscoped.failed(error)
      scoped.failed(error, 'write')
      await waitFor(
        async () => {
          await client.ping().catch(() => undefined)
          return client.state === 'ready'
        },
        { description: 'the breaker to close after the pause' },
      )
      expect(unscoped.inOutage).toBe(false)
      expect(scoped.inOutage).toBe(true)
      expect(log).toEqual(['down', 'writes down', 'up'])
      for (const stop of stops) stop()
    } finally {
      await client.close()
      redis.disconnect()
      await server.stop()
    }
  })
})
