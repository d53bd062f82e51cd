import { type ChildProcess, spawn } from 'node:child_process'
import { createConnection, createServer } from 'node:net'

/** A throwaway redis-server for this package's tests (own port, no persistence). */
export interface TestRedis {
  port: number
  url: string
  pid: number
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    let data = ''
    socket.setTimeout(500, () => {
      socket.destroy()
      resolve(false)
    })
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      data += chunk.toString()
      if (data.includes('\r\n')) {
        socket.end()
        resolve(data.startsWith('+PONG'))
      }
    })
    socket.on('error', () => resolve(false))
  })
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/** Spawns `redis-server --port N --save '' --appendonly no` and waits until PING answers. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const chosen = port ?? (await freePort())
  const child = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  const pid = child.pid
  if (pid === undefined) throw new Error('could not spawn redis-server (is it installed?)')
  const failed = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited early with code ${String(code)}`)))
  })
  failed.catch(() => undefined)
  await Promise.race([waitUntil(() => ping(chosen), 10_000, `redis-server on port ${chosen}`), failed])
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL')
      await exited(child)
    },
  }
}
