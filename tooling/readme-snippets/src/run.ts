import { type ChildProcess, fork } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { HttpCheck } from './extract.js'

/**
 * Imports the compiled program; a numeric port given to `listen` becomes a free one, reported to the
 * test over IPC, so a snippet can say `app.listen(3000)` as users write it.
 */
const launcher = `import http from 'node:http'
const send = (message) => process.send?.(message)
const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\\d+$/.test(args[0]))) args[0] = 0
  this.once('listening', () => send({ type: 'listening', port: this.address().port }))
  return listen.apply(this, args)
}
const fail = (error) => { send({ type: 'error', message: String(error?.stack ?? error) }) }
process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)
try {
  await import(process.argv[2])
  send({ type: 'done' })
} catch (error) {
  fail(error)
}
`

type ChildMessage = { type: 'listening'; port: number } | { type: 'done' } | { type: 'error'; message: string }

export interface RunExpectations {
  requests: readonly HttpCheck[]
  prints: readonly string[]
}

export interface RunResult {
  /** What went wrong; empty when the program ran and answered as expected. */
  failures: string[]
  output: string
}

function waitFor<T>(
  child: ChildProcess,
  pick: (message: ChildMessage) => T | undefined,
  timeoutMs: number,
): Promise<T | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs)
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'error') finish(`the program threw: ${message.message}`)
      const picked = pick(message)
      if (picked !== undefined) finish(picked)
    }
    const onExit = (code: number | null) => finish(`the program exited (${code}) before it was ready`)
    function finish(value: T | string): void {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(value)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** Runs a compiled program with the given environment, then the HTTP checks against the port it listened on. */
export async function runProgram(
  folder: string,
  compiledFile: string,
  env: NodeJS.ProcessEnv,
  expect: RunExpectations,
): Promise<RunResult> {
  const launcherFile = join(folder, 'launch.mjs')
  writeFileSync(launcherFile, launcher)
  const child = fork(launcherFile, [pathToFileURL(join(folder, compiledFile)).href], {
    cwd: folder,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const failures: string[] = []
  let port: number | undefined
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'listening') port ??= message.port
    if (message.type === 'error') failures.push(`the program threw: ${message.message}`)
  })
  try {
    const done = await waitFor(child, (message) => (message.type === 'done' ? true : undefined), 20_000)
    if (done !== true) return { failures: [...failures, done], output }
    if (expect.requests.length > 0 && port === undefined) {
      const listening = await waitFor(
        child,
        (message) => (message.type === 'listening' ? message.port : undefined),
        5_000,
      )
      if (typeof listening === 'string') return { failures: [...failures, `never listened: ${listening}`], output }
      port = listening
    }
    for (const check of expect.requests) {
      const response = await fetch(`http://127.0.0.1:${port}${check.path}`, {
        method: check.method,
        signal: AbortSignal.timeout(10_000),
      })
      // The status is the check; a stream (SSE) would never end.
      await response.body?.cancel()
      if (response.status !== check.status)
        failures.push(`${check.method} ${check.path} answered ${response.status}, expected ${check.status}`)
    }
    for (const text of expect.prints) {
      // The IPC message can overtake the last stdout chunk.
      for (let waited = 0; !output.includes(text) && waited < 2_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50))
      if (!output.includes(text)) failures.push(`did not print "${text}"`)
    }
    return { failures, output }
  } finally {
    child.kill('SIGKILL')
  }
}
