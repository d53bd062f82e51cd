import { parseCliArgs } from '../src/cli-args.js'
import { runCli } from '../src/cli-run.js'
import { rest } from './helpers.js'
import { startRedis, type TestRedis } from './redis-server.js'

const fixed = () => 'generated'

describe('parseCliArgs', () => {
  test('defaults', () => {
    expect(parseCliArgs([], fixed)).toEqual({
      kind: 'run',
      tokenGenerated: true,
      options: { redisUrl: 'redis://127.0.0.1:6379', token: 'generated', port: 8079, host: '127.0.0.1' },
    })
  })
  test('all flags, both --flag value and --flag=value', () => {
    expect(
      parseCliArgs(
        [
          '--redis',
          'redis://h:1/2',
          '--port=0',
          '--token',
          'dev',
          '--readonly-token=ro',
          '--host',
          '0.0.0.0',
          '--pool-size',
          '3',
          '--max-body-bytes=99',
          '--max-subscriptions',
          '7',
        ],
        fixed,
      ),
    ).toEqual({
      kind: 'run',
      tokenGenerated: false,
      options: {
        redisUrl: 'redis://h:1/2',
        token: 'dev',
        readonlyToken: 'ro',
        port: 0,
        host: '0.0.0.0',
        poolSize: 3,
        maxBodyBytes: 99,
        maxSubscriptions: 7,
      },
    })
  })
  test('help and errors', () => {
    expect(parseCliArgs(['--token', 'x', '--help'], fixed)).toEqual({ kind: 'help' })
    expect(parseCliArgs(['-h'], fixed)).toEqual({ kind: 'help' })
    expect(parseCliArgs(['--nope'], fixed)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/unknown argument/),
    })
    expect(parseCliArgs(['--port'], fixed)).toMatchObject({ kind: 'error', message: '--port needs a value' })
    expect(parseCliArgs(['--port', 'abc'], fixed)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/--port expects/),
    })
    expect(parseCliArgs(['--port='], fixed)).toMatchObject({ kind: 'error', message: '--port needs a value' })
    expect(parseCliArgs(['--token', '--port', '1'], fixed)).toMatchObject({
      kind: 'error',
      message: '--token needs a value',
    })
    expect(parseCliArgs(['stray'], fixed)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/unexpected argument 'stray'/),
    })
    expect(parseCliArgs(['--max-subscriptions', '1.5'], fixed)).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/--max-subscriptions expects/),
    })
  })
})

describe('runCli', () => {
  let redis: TestRedis
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    await redis.stop()
  })

  function capture() {
    const out: string[] = []
    const err: string[] = []
    return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } }
  }

  test('prints the URL and the two env lines, and serves', async () => {
    const { out, err, io } = capture()
    const { exitCode, server } = await runCli(['--redis', redis.url, '--port', '0', '--token', 'dev'], io)
    try {
      expect(exitCode).toBe(0)
      expect(err).toEqual([])
      const url = server?.url ?? ''
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(out).toContain(`UPSTASH_REDIS_REST_URL=${url}`)
      expect(out).toContain('UPSTASH_REDIS_REST_TOKEN=dev')
      expect((await rest(url, '/', ['PING'], { token: 'dev' })).json).toEqual({ result: 'PONG' })
    } finally {
      await server?.close()
    }
  })

  test('--help exits 0 with usage', async () => {
    const { out, io } = capture()
    expect((await runCli(['--help'], io)).exitCode).toBe(0)
    expect(out.join('\n')).toMatch(/Usage:\n {2}upstash-local/)
  })

  test('exits non-zero with a clear message when Redis cannot be reached', async () => {
    const dead = await startRedis()
    await dead.stop()
    const { err, io } = capture()
    const result = await runCli(['--redis', dead.url, '--port', '0', '--token', 'x'], io)
    expect(result.exitCode).toBe(1)
    expect(result.server).toBeUndefined()
    expect(err.join('\n')).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/)
  })

  test('exits 2 on a bad argument', async () => {
    const { err, io } = capture()
    expect((await runCli(['--port', '-1'], io)).exitCode).toBe(2)
    expect(err[0]).toMatch(/--port/)
  })
})
