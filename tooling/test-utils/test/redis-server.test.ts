import { existsSync } from 'node:fs'
import { isAlive, ping, rawCommand, type RedisServerHandle, startRedisServer } from '@rediware/test-utils'

describe('startRedisServer', () => {
  let server: RedisServerHandle

  beforeAll(async () => {
    server = await startRedisServer()
  })

  afterAll(async () => {
    await server.stop()
  })

  test('answers PING on a free port of 127.0.0.1', async () => {
    expect(server.host).toBe('127.0.0.1')
    expect(server.port).not.toBe(6379)
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`)
    expect(isAlive(server.pid)).toBe(true)
    await expect(rawCommand(server, ['PING'])).resolves.toBe('PONG')
  })

  test('passes extra args and persists nothing', async () => {
    const custom = await startRedisServer({ args: ['--maxmemory', '12mb'] })
    try {
      await expect(rawCommand(custom, ['CONFIG', 'GET', 'maxmemory'])).resolves.toEqual([
        'maxmemory',
        String(12 * 1024 * 1024),
      ])
      await expect(rawCommand(custom, ['CONFIG', 'GET', 'save'])).resolves.toEqual(['save', ''])
      await expect(rawCommand(custom, ['CONFIG', 'GET', 'appendonly'])).resolves.toEqual(['appendonly', 'no'])
    } finally {
      await custom.stop()
    }
  })

  test('pause() holds commands until the pause ends', async () => {
    await server.pause(400)
    await expect(rawCommand(server, ['PING'], 100)).rejects.toThrow(/timed out/)
    await expect(rawCommand(server, ['PING'], 5000)).resolves.toBe('PONG')
  })

  test('kill() crashes the server; restart() brings it back on the same port', async () => {
    const { port, pid } = server
    await server.kill()
    expect(isAlive(pid)).toBe(false)
    await expect(rawCommand(server, ['PING'], 500)).rejects.toThrow(/ECONNREFUSED/)

    await server.restart()
    expect(server.port).toBe(port)
    expect(server.pid).not.toBe(pid)
    await expect(rawCommand(server, ['PING'])).resolves.toBe('PONG')
  })

  test('restart() of a running server replaces the process', async () => {
    const { pid } = server
    await server.restart()
    expect(isAlive(pid)).toBe(false)
    await expect(ping(server)).resolves.toBe(true)
  })

  test('stop() ends the process and removes its temp dir', async () => {
    const other = await startRedisServer()
    const { pid } = other
    const dir = await rawCommand(other, ['CONFIG', 'GET', 'dir'])
    const path = Array.isArray(dir) ? String(dir[1]) : ''
    expect(existsSync(path)).toBe(true)
    await other.stop()
    expect(isAlive(pid)).toBe(false)
    expect(existsSync(path)).toBe(false)
    await expect(ping(other, 200)).resolves.toBe(false)
  })

  test('a port in use fails fast with the server log', async () => {
    await expect(startRedisServer({ port: server.port })).rejects.toThrow(/exited during startup[\s\S]*(in use|bind)/i)
  })

  test('fails clearly when redis-server is not on PATH', async () => {
    const path = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      await expect(startRedisServer()).rejects.toThrow(/redis-server was not found on PATH/)
    } finally {
      process.env.PATH = path
    }
  })
})
