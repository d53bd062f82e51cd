import autocannon from 'autocannon'

/** What the runner asks for: one autocannon run, described in JSON on the command line. */
export interface LoadRequest {
  url: string
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
async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as LoadRequest
  const before = process.cpuUsage()
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      { url: request.url, duration: request.durationSeconds, connections: request.connections, pipelining: 1, headers: request.headers },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    )
  })
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
