import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { countClientCommands } from './count-commands.js'
import { processCpuMicros, redisCpuMicros } from './cpu-usage.js'
import { runLoad } from './load.js'
import { type Pinning, pinnedCommand } from './pinning.js'
import type { RoundMeasurement } from './results.js'
import type { Scenario } from './scenario.js'

export interface LoadSettings {
  durationSeconds: number
  connections: number
  warmupSeconds: number
}

/** Where a measurement runs: the servers' environment, Redis, and the pinning plan. */
export interface MeasureContext {
  env: NodeJS.ProcessEnv
  redisUrl: string
  pinning: Pinning
  settings: LoadSettings
}

const here = dirname(fileURLToPath(import.meta.url))

async function startScenarioServer(
  scenario: Scenario,
  context: MeasureContext,
): Promise<{ child: ChildProcess; port: number }> {
  // The tsx loader runs in the server's own process, so its pid is the one to measure and kill;
  // taskset execs node, so the pid is the same with or without pinning.
  const [command, args] = pinnedCommand(context.pinning, context.pinning.appCpus, process.execPath, [
    '--import',
    'tsx',
    join(here, 'serve.ts'),
    scenario.id,
  ])
  const child = spawn(command, args, {
    cwd: join(here, '..'),
    env: context.env,
    // serve.ts exits when its stdin closes, so a run that dies without killing it leaves nothing behind.
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /LISTENING (\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`scenario ${scenario.id} exited with ${code} before listening`)))
  })
  return { child, port }
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return 0
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /VmHWM:\s+(\d+) kB/.exec(status)
  return match ? Math.round(Number(match[1]) / 1024) : 0
}

const countedRequests = 100
const settleMs = 250

/** Sends requests one at a time, so the command count per request is exact. */
async function sequentialRequests(url: string, count: number, headers: Record<string, string>): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(url, { headers })
    await response.arrayBuffer()
  }
}

const runnerCpuMicros = (): number => {
  const used = process.cpuUsage()
  return used.user + used.system
}

/**
 * Starts the scenario's server in its own process (on the app's core), warms it up and loads it from
 * the load generator's process, and measures the CPU every process spent during the measured load.
 */
export async function measure(
  scenario: Scenario,
  context: MeasureContext,
  round: number,
  order: number,
): Promise<RoundMeasurement> {
  const { settings, redisUrl } = context
  const { child, port } = await startScenarioServer(scenario, context)
  try {
    const baseUrl = `http://127.0.0.1:${port}`
    const url = `${baseUrl}${scenario.path}`
    const headers = scenario.headers ?? {}
    const pid = child.pid ?? 0
    let appBefore = 0
    let redisBefore = 0
    let runnerBefore = 0
    const load = await runLoad({ url, ...settings, headers }, async () => {
      appBefore = processCpuMicros(pid)
      redisBefore = await redisCpuMicros(redisUrl)
      runnerBefore = runnerCpuMicros()
    })
    const runnerCpu = runnerCpuMicros() - runnerBefore
    const appCpu = processCpuMicros(pid) - appBefore
    const redisCpu = (await redisCpuMicros(redisUrl)) - redisBefore
    // Let the requests autocannon left in flight finish, so their Redis calls are not counted.
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const commands = await countClientCommands(redisUrl, () => sequentialRequests(url, countedRequests, headers))
    const extra = scenario.extra ? await scenario.extra.measure(baseUrl) : undefined
    const perRequest = (micros: number) => (load.requests > 0 ? micros / load.requests : 0)
    return {
      scenarioId: scenario.id,
      round,
      order,
      requests: load.requests,
      requestsPerSecond: load.requestsPerSecond,
      p50: load.p50,
      p99: load.p99,
      statuses: load.statuses,
      errors: load.errors,
      peakRssMb: peakRssMb(child.pid),
      redisCommandsPerRequest: commands / countedRequests,
      appCpuMicrosPerRequest: perRequest(appCpu),
      redisCpuMicrosPerRequest: perRequest(redisCpu),
      loadCpuMicrosPerRequest: perRequest(load.cpuMicros),
      runnerCpuMicrosPerRequest: perRequest(runnerCpu),
      ...(extra === undefined ? {} : { extra }),
    }
  } finally {
    child.kill('SIGKILL')
  }
}
