export interface Answer {
  /** HTTP status, or `'hung'` (no answer before the deadline) or `'error'` (connection failed). */
  status: number | 'hung' | 'error'
  ms: number
  body: string
  headers: Headers
}

/** One request to an app process on 127.0.0.1 with a hard deadline; never rejects. */
export async function request(port: number, method: string, path: string, deadlineMs: number, cookie?: string): Promise<Answer> {
  const started = performance.now()
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: cookie === undefined ? {} : { cookie },
      signal: AbortSignal.timeout(deadlineMs),
    })
    const body = await response.text()
    return { status: response.status, ms: performance.now() - started, body, headers: response.headers }
  } catch (error) {
    const hung = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    const cause = error instanceof Error && error.cause !== undefined ? ` (cause: ${String(error.cause)})` : ''
    return { status: hung ? 'hung' : 'error', ms: performance.now() - started, body: `${String(error)}${cause}`, headers: new Headers() }
  }
}

/** The `name=value` part of a Set-Cookie answer, for sending it back. */
export function sessionCookie(answer: Answer): string | undefined {
  return answer.headers.getSetCookie().map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('chaos.sid='))
}
