import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadRequest, LoadResult } from './load-generator.js'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * Runs autocannon in a process of its own (it inherits the runner's cores): the warm-up, then
 * `beforeLoad` (the runner reads the CPU counters), then the measured load. Resolves with its result,
 * the load generator's own CPU time included.
 */
export function runLoad(request: LoadRequest, beforeLoad: () => Promise<void>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'load-generator.ts'), JSON.stringify(request)],
      {
        cwd: join(here, '..'),
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    )
    let output = ''
    let started = false
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (!started && output.includes('READY\n')) {
        started = true
        beforeLoad().then(
          () => child.stdin.write('GO\n'),
          (error: unknown) => {
            child.kill('SIGKILL')
            reject(error)
          },
        )
      }
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      const line = /^RESULT (.*)$/m.exec(output)?.[1]
      if (code !== 0 || line === undefined)
        reject(new Error(`load generator exited with ${code}: ${output.slice(0, 500)}`))
      else resolve(JSON.parse(line) as LoadResult)
    })
  })
}
