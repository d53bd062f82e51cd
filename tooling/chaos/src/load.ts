import { request } from './http.js'

export interface LoadOptions {
  ports: readonly number[]
  /** Requests per second over all workers (an upper bound: a worker waits for its answer). */
  rate: number
  /** Requests in flight at most. */
  concurrency: number
  /** Hard cap on requests sent, whatever the duration. */
  maxRequests: number
  /** Per-request deadline, ms: an answer later than this counts as hung. */
  deadlineMs: number
  /** Cookie of the session the load reads and bumps. */
  cookie: string
}

export interface LoadFigures {
  sent: number
  statuses: Record<string, number>
  slowestMs: number
  hung: number
  /** The first few failed requests (method, path, what happened), for the report. */
  failures: string[]
}

export interface RunningLoad {
  /** Stops sending, waits for the requests in flight, returns the figures. */
  stop(): Promise<LoadFigures>
}

const ITEMS = 20

/** Half cached reads, a third session reads, the rest session writes, round-robin over the processes. */
function pick(sequence: number): { method: string; path: string } {
  const slot = sequence % 6
  if (slot < 3) return { method: 'GET', path: `/api/items/${(sequence % ITEMS) + 1}` }
  if (slot < 5) return { method: 'GET', path: '/api/session' }
  return { method: 'POST', path: '/api/session/bump' }
}

export const loadItemCount = ITEMS

/** Starts a steady, bounded load; `stop()` ends it. */
export function startLoad(options: LoadOptions): RunningLoad {
  const figures: LoadFigures = { sent: 0, statuses: {}, slowestMs: 0, hung: 0, failures: [] }
  const period = (options.concurrency * 1000) / options.rate
  let stopped = false
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
  const worker = async () => {
    while (!stopped && figures.sent < options.maxRequests) {
      const sequence = figures.sent
      figures.sent += 1
      const { method, path } = pick(sequence)
      const port = options.ports[sequence % options.ports.length] as number
      const started = performance.now()
      const answer = await request(port, method, path, options.deadlineMs, options.cookie)
      const key = String(answer.status)
      figures.statuses[key] = (figures.statuses[key] ?? 0) + 1
      figures.slowestMs = Math.max(figures.slowestMs, answer.ms)
      if (answer.status === 'hung') figures.hung += 1
      if (typeof answer.status !== 'number' && figures.failures.length < 3)
        figures.failures.push(`${method} ${path} on :${port}: ${answer.body.slice(0, 300)}`)
      const left = period - (performance.now() - started)
      if (left > 0 && !stopped) await pause(left)
    }
  }
  const workers = Array.from({ length: options.concurrency }, worker)
  return {
    async stop() {
      stopped = true
      await Promise.all(workers)
      return figures
    },
  }
}
