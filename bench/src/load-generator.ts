import autocannon from 'autocannon'

/** What the runner asks for: one autocannon run, described in JSON on the command line. */
export interface LoadRequest {
  url: string
  /** Load sent first and not measured; then the generator prints READY and waits for a line on stdin. */
  warmupSeconds: number
  durationSeconds: number
  connections: number
  headers: Record<string, string>
}

/** What the load generator prints, as one JSON line, when its run is over. */
export interface LoadResult {
  requests: number
  requestsPerSecond: number
  p50: number
  p99: number
  statuses: Record<string, number>
  errors: number
  /** CPU time (user + system) this process spent during the run, µs. */
  cpuMicros: number
}

/**
 * Child-process entry: the load generator runs in its own process (on the runner's cores), so its
 * CPU is neither the app's nor the runner's, and it is measured on its own.
 */
function load(request: LoadRequest, durationSeconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: request.url,
        duration: durationSeconds,
        connections: request.connections,
        pipelining: 1,
        headers: request.headers,
      },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    )
  })
}

/** Resolves on the runner's go-ahead: it has read every process's CPU counters. */
function goAhead(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once('data', () => resolve())
    process.stdout.write('READY\n')
  })
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as LoadRequest
  if (request.warmupSeconds > 0) await load(request, request.warmupSeconds)
  await goAhead()
  const before = process.cpuUsage()
  const result = await load(request, request.durationSeconds)
  const used = process.cpuUsage(before)
  const statuses: Record<string, number> = {}
  for (const code of ['1xx', '2xx', '3xx', '4xx', '5xx'] as const) {
    if (result[code] > 0) statuses[code] = result[code]
  }
  const answer: LoadResult = {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors + result.timeouts,
    cpuMicros: used.user + used.system,
  }
  process.stdout.write(`RESULT ${JSON.stringify(answer)}\n`)
  // autocannon keeps sockets in its agent pool.
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
