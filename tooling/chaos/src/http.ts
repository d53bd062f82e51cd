export interface Answer {
  /** HTTP status, or `'hung'` (no answer before the deadline) or `'error'` (the connection was closed or refused without a complete answer). */
  status: number | 'hung' | 'reset'
  ms: number
  body: string
  headers: Headers
}

function describe(error: unknown): { name: string; text: string } {
  // No `instanceof`: under jest the abort's DOMException comes from another realm.
  if (typeof error !== 'object' || error === null) return { name: '', text: String(error) }
  const name = 'name' in error ? String(error.name) : ''
  const cause = 'cause' in error && error.cause !== undefined ? ` (cause: ${String(error.cause)})` : ''
  return { name, text: `${String(error)}${cause}` }
}

/** One request to an app process on 127.0.0.1 with a hard deadline; never rejects. */
export async function request(
  port: number,
  method: string,
  path: string,
  deadlineMs: number,
  cookie?: string,
): Promise<Answer> {
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
    const ms = performance.now() - started
    const { name, text } = describe(error)
    const hung = name === 'TimeoutError' || name === 'AbortError' || ms >= deadlineMs
    return { status: hung ? 'hung' : 'reset', ms, body: text, headers: new Headers() }
  }
}

/** The `name=value` part of a Set-Cookie answer, for sending it back. */
export function sessionCookie(answer: Answer): string | undefined {
  return answer.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith('chaos.sid='))
}
