import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { countClientCommands } from './count-commands.js'
import { processCpuMicros, redisCpuMicros } from './cpu-usage.js'
import type { Scenario } from './scenario.js'

export interface Measurement {
  scenario: Scenario
  requests: number
  requestsPerSecond: number
  p50: number
  p99: number
  statuses: Record<string, number>
  errors: number
  peakRssMb: number
  redisCommandsPerRequest: number
  /** CPU time the scenario's server process spent per answered request during the load, µs. */
  appCpuMicrosPerRequest: number
  /** CPU time redis-server spent per answered request during the load, µs (every client, scripts included). */
  redisCpuMicrosPerRequest: number
  /** CPU time this process (autocannon, the load generator) spent per answered request, µs: what a contender's answers cost the client. */
  loadCpuMicrosPerRequest: number
  /** req/s of every round, when the run had several (this measurement is the median round). */
  roundRates?: number[]
  /** The value of `scenario.extra`, when the scenario has one. */
  extra?: string
}

export interface LoadSettings {
  durationSeconds: number
  connections: number
  warmupSeconds: number
}

const here = dirname(fileURLToPath(import.meta.url))

async function startScenarioServer(scenario: Scenario, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  // The tsx loader runs in the server's own process, so its pid is the one to measure and kill.
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'serve.ts'), scenario.id], {
    cwd: join(here, '..'),
    env,
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

function load(url: string, durationSeconds: number, connections: number, headers: Record<string, string>): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, duration: durationSeconds, connections, pipelining: 1, headers }, (error, result) =>
      error ? reject(error) : resolve(result),
    )
  })
}

/** Starts the scenario's server in its own process, warms it up, loads it and measures. */
export async function measure(scenario: Scenario, env: NodeJS.ProcessEnv, redisUrl: string, settings: LoadSettings): Promise<Measurement> {
  const { child, port } = await startScenarioServer(scenario, env)
  try {
    const baseUrl = `http://127.0.0.1:${port}`
    const url = `${baseUrl}${scenario.path}`
    const headers = scenario.headers ?? {}
    await load(url, settings.warmupSeconds, settings.connections, headers)
    const pid = child.pid ?? 0
    const appCpuBefore = processCpuMicros(pid)
    const redisCpuBefore = await redisCpuMicros(redisUrl)
    const loadCpuBefore = process.cpuUsage()
    const result = await load(url, settings.durationSeconds, settings.connections, headers)
    const loadCpuUsed = process.cpuUsage(loadCpuBefore)
    const appCpu = processCpuMicros(pid) - appCpuBefore
    const redisCpu = (await redisCpuMicros(redisUrl)) - redisCpuBefore
    // Let the requests autocannon left in flight finish, so their Redis calls are not counted.
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const commands = await countClientCommands(redisUrl, () => sequentialRequests(url, countedRequests, headers))
    const extra = scenario.extra ? await scenario.extra.measure(baseUrl) : undefined
    const statuses: Record<string, number> = {}
    for (const code of ['1xx', '2xx', '3xx', '4xx', '5xx'] as const) {
      const count = result[code]
      if (count > 0) statuses[code] = count
    }
    const requests = result.requests.total
    return {
      scenario,
      requests,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      statuses,
      errors: result.errors + result.timeouts,
      peakRssMb: peakRssMb(child.pid),
      redisCommandsPerRequest: commands / countedRequests,
      appCpuMicrosPerRequest: requests > 0 ? appCpu / requests : 0,
      redisCpuMicrosPerRequest: requests > 0 ? redisCpu / requests : 0,
      loadCpuMicrosPerRequest: requests > 0 ? (loadCpuUsed.user + loadCpuUsed.system) / requests : 0,
      ...(extra === undefined ? {} : { extra }),
    }
  } finally {
    child.kill('SIGKILL')
  }
}
