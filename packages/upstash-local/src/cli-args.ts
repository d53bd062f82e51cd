import { parseArgs } from 'node:util'
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
  --max-subscriptions N  open SSE subscriptions allowed at once (default 256)
  -h, --help             show this help

Prints the URL and two lines to paste into your environment:
  UPSTASH_REDIS_REST_URL=…
  UPSTASH_REDIS_REST_TOKEN=…
`

export type CliParse =
  | { kind: 'help' }
  | { kind: 'run'; options: UpstashLocalOptions; tokenGenerated: boolean }
  | { kind: 'error'; message: string }

const FLAGS = {
  redis: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'readonly-token': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'pool-size': { type: 'string' },
  'max-subscriptions': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const INTEGER_FLAGS = [
  ['max-body-bytes', 'maxBodyBytes'],
  ['pool-size', 'poolSize'],
  ['max-subscriptions', 'maxSubscriptions'],
] as const

function integer(flag: string, text: string): number | string {
  if (!/^\d+$/.test(text)) return `--${flag} expects a non-negative integer, got "${text}"`
  return Number(text)
}

/** Node's parseArgs error → our message (parseArgs' own texts name the option but not the fix). */
function describeParseError(error: unknown, argv: readonly string[]): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  const message = error instanceof Error ? error.message : String(error)
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const unknown = argv.find((arg) => message.includes(`'${arg.split('=')[0]}'`)) ?? message
    return `unknown argument "${unknown}" (see --help)`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /--[a-z-]+/.exec(message)?.[0] ?? 'an option'
    return `${flag} needs a value`
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected argument ${message.replace(/^[^']*/, '')} (see --help)`
  return message
}

/** Parses argv (without `node` and the script path) with node:util parseArgs. `--flag=value` and `--flag value` both work. */
export function parseCliArgs(argv: readonly string[], randomToken: () => string): CliParse {
  let values: { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string }
  try {
    values = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    return { kind: 'error', message: describeParseError(error, argv) }
  }
  if (values.help === true) return { kind: 'help' }
  for (const [flag, value] of Object.entries(values)) {
    if (value === '') return { kind: 'error', message: `--${flag} needs a value` }
  }
  const port = integer('port', values.port ?? '8079')
  if (typeof port === 'string') return { kind: 'error', message: port }
  const options: UpstashLocalOptions = {
    redisUrl: values.redis ?? 'redis://127.0.0.1:6379',
    token: values.token ?? randomToken(),
    port,
    host: values.host ?? '127.0.0.1',
  }
  if (values['readonly-token'] !== undefined) options.readonlyToken = values['readonly-token']
  for (const [flag, key] of INTEGER_FLAGS) {
    const text = values[flag]
    if (text === undefined) continue
    const parsed = integer(flag, text)
    if (typeof parsed === 'string') return { kind: 'error', message: parsed }
    options[key] = parsed
  }
  return { kind: 'run', options, tokenGenerated: values.token === undefined }
}
