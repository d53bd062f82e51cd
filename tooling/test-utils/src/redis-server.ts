import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { trackChild } from './child-registry.js'
import { findExecutable } from './executable.js'
import { findFreePort } from './free-port.js'
import { killNow, terminate } from './process-control.js'
import { rawCommand } from './raw-command.js'
import { waitFor } from './wait-for.js'

export interface RedisServerOptions {
  /** Port to listen on; default a free port chosen by the OS. */
  port?: number
  /** Extra redis-server arguments, appended after the defaults. */
  args?: string[]
  /** Working directory (`--dir`); default a new temp dir, removed on `stop()`. */
  dir?: string
  /** How long to wait for the first PONG, in ms. Default 10 000. */
  readyTimeout?: number
}

export interface RedisServerHandle {
  readonly host: string
  readonly port: number
  /** `redis://127.0.0.1:PORT` */
  readonly url: string
  /** pid of the running process (changes on `restart()`). */
  readonly pid: number
  /** Graceful stop: SIGTERM, SIGKILL after 2 s; resolves once the process has exited. */
  stop(): Promise<void>
  /** Crash: SIGKILL; resolves once the process has exited. The temp dir is kept for `restart()`. */
  kill(): Promise<void>
  /** Stops the server if it is running (also after `stop()`/`kill()`), starts it again on the same port, waits for PONG. */
  restart(): Promise<void>
  /** `CLIENT PAUSE ms`: the server holds every client's commands for `ms`. */
  pause(ms: number): Promise<void>
}

const HOST = '127.0.0.1'
const PORT_ATTEMPTS = 3

function readLogTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n')
  } catch {
    return '(no log)'
  }
}

class RedisServer implements RedisServerHandle {
  readonly host = HOST
  readonly url: string
  #child: ChildProcess | undefined

  constructor(
    readonly port: number,
    private readonly binary: string,
    private readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly extraArgs: readonly string[],
    private readonly readyTimeout: number,
  ) {
    this.url = `redis://${HOST}:${port}`
  }

  get pid(): number {
    return this.#child?.pid ?? -1
  }

  get #logFile(): string {
    return join(this.dir, `redis-${this.port}.log`)
  }

  /** Spawns the process and waits until it answers; rejects (and reaps the process) if it never does. */
  async launch(): Promise<void> {
    mkdirSync(this.dir, { recursive: true })
    const args = [
      ...['--port', String(this.port), '--bind', HOST, '--save', '', '--appendonly', 'no'],
      ...['--dir', this.dir, '--logfile', this.#logFile, '--daemonize', 'no'],
      ...this.extraArgs,
    ]
    const child = spawn(this.binary, args, { stdio: 'ignore' })
    trackChild(child)
    child.unref()
    this.#child = child
    let exitError: Error | undefined
    let spawnError: Error | undefined
    child.once('error', (error) => {
      spawnError = error
    })
    child.once('exit', (code, signal) => {
      exitError = new Error(
        `redis-server on port ${this.port} exited during startup (code ${code}, signal ${signal}):\n${readLogTail(this.#logFile)}`,
      )
    })
    try {
      await waitFor(() => this.#answersAs(child.pid), {
        description: `redis-server (pid ${child.pid}) to answer on ${HOST}:${this.port}`,
        timeout: this.readyTimeout,
        abort: () => spawnError ?? exitError,
      })
    } catch (error) {
      await killNow(child)
      throw error
    }
  }

  /** PONG alone is not enough: another server may own the port. INFO tells us which process answered. */
  async #answersAs(pid: number | undefined): Promise<boolean> {
    const info = await rawCommand(this, ['INFO', 'server'], 250)
    return typeof info === 'string' && new RegExp(`^process_id:${pid}\\r?$`, 'm').test(info)
  }

  async stop(): Promise<void> {
    if (this.#child) await terminate(this.#child)
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true })
  }

  async kill(): Promise<void> {
    if (this.#child) await killNow(this.#child)
  }

  async restart(): Promise<void> {
    if (this.#child) await terminate(this.#child)
    await this.launch()
  }

  async pause(ms: number): Promise<void> {
    if (!Number.isInteger(ms) || ms <= 0) throw new RangeError(`pause(ms) needs a positive integer; got ${ms}.`)
    await rawCommand(this, ['CLIENT', 'PAUSE', ms])
  }
}

/**
 * Starts a throw-away `redis-server` on 127.0.0.1 (no RDB, no AOF, temp dir) and resolves once it
 * answers PING. Rejects with a clear error if `redis-server` is not on PATH.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = findExecutable('redis-server')
  const ownsDir = options.dir === undefined
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rediware-redis-'))
  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1
  let lastError: unknown
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await findFreePort(HOST))
    const server = new RedisServer(port, binary, dir, ownsDir, options.args ?? [], options.readyTimeout ?? 10_000)
    try {
      await server.launch()
      return server
    } catch (error) {
      // Another process may have taken the free port between our probe and the spawn: try another.
      lastError = error
    }
  }
  if (ownsDir) rmSync(dir, { recursive: true, force: true })
  throw lastError
}
