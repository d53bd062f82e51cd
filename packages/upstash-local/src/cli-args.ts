import type { UpstashLocalOptions } from './options.js'

export const HELP_TEXT = `upstash-local — an Upstash-REST-compatible server in front of any Redis

Usage:
  upstash-local [--redis URL] [--port N] [--host HOST] [--token T] [--readonly-token R]

Options:
  --redis URL            Redis to forward to (default redis://127.0.0.1:6379)
  --port N               port to listen on (default 8079; 0 picks a free port)
  --host HOST            interface to bind (default 127.0.0.1)
  --token T              read-write REST token (default: a random one, printed at start)
  --readonly-token R     optional read-only REST token
  --max-body-bytes N     largest request body (default 10485760)
  --pool-size N          Redis connections in the pool (default 4, at least 2)
  -h, --help             show this help

Prints the URL and two lines to paste into your environment:
  UPSTASH_REDIS_REST_URL=…
  UPSTASH_REDIS_REST_TOKEN=…
`

export type CliParse =
  | { kind: 'help' }
  | { kind: 'run'; options: UpstashLocalOptions; tokenGenerated: boolean }
  | { kind: 'error'; message: string }

const VALUE_FLAGS = new Set(['--redis', '--port', '--host', '--token', '--readonly-token', '--max-body-bytes', '--pool-size'])

function integer(flag: string, text: string): number | string {
  if (!/^\d+$/.test(text)) return `${flag} expects a non-negative integer, got "${text}"`
  return Number(text)
}

/** Parses argv (without `node` and the script path). `--flag=value` and `--flag value` both work. */
export function parseCliArgs(argv: readonly string[], randomToken: () => string): CliParse {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '-h' || arg === '--help') return { kind: 'help' }
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    if (!VALUE_FLAGS.has(flag)) return { kind: 'error', message: `unknown argument "${arg}" (see --help)` }
    let value: string | undefined
    if (eq > 0) value = arg.slice(eq + 1)
    else {
      value = argv[i + 1]
      i++
    }
    if (value === undefined || value === '') return { kind: 'error', message: `${flag} needs a value` }
    values.set(flag, value)
  }
  const port = integer('--port', values.get('--port') ?? '8079')
  if (typeof port === 'string') return { kind: 'error', message: port }
  const options: UpstashLocalOptions = {
    redisUrl: values.get('--redis') ?? 'redis://127.0.0.1:6379',
    token: values.get('--token') ?? randomToken(),
    port,
    host: values.get('--host') ?? '127.0.0.1',
  }
  const readonlyToken = values.get('--readonly-token')
  if (readonlyToken !== undefined) options.readonlyToken = readonlyToken
  for (const [flag, key] of [
    ['--max-body-bytes', 'maxBodyBytes'],
    ['--pool-size', 'poolSize'],
  ] as const) {
    const text = values.get(flag)
    if (text === undefined) continue
    const parsed = integer(flag, text)
    if (typeof parsed === 'string') return { kind: 'error', message: parsed }
    options[key] = parsed
  }
  return { kind: 'run', options, tokenGenerated: !values.has('--token') }
}
