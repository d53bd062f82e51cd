import { randomBytes } from 'node:crypto'
import { HELP_TEXT, parseCliArgs } from './cli-args.js'
import { startUpstashLocal, type UpstashLocal } from './start.js'
import { describeError } from './errors.js'

export interface CliIo {
  out(line: string): void
  err(line: string): void
}

/** Runs the CLI: exit code 0 with a running server, or a non-zero code after printing why. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<{ exitCode: number; server?: UpstashLocal }> {
  const parsed = parseCliArgs(argv, () => randomBytes(16).toString('hex'))
  if (parsed.kind === 'help') {
    io.out(HELP_TEXT)
    return { exitCode: 0 }
  }
  if (parsed.kind === 'error') {
    io.err(`upstash-local: ${parsed.message}`)
    return { exitCode: 2 }
  }
  let server: UpstashLocal
  try {
    server = await startUpstashLocal(parsed.options)
  } catch (error) {
    io.err(describeError(error))
    return { exitCode: 1 }
  }
  io.out(
    `upstash-local listening on ${server.url} (Redis: ${parsed.options.redisUrl.replace(/\/\/[^@/]*@/, '//***@')})`,
  )
  if (parsed.tokenGenerated) io.out('No --token given: generated a random one.')
  io.out('')
  io.out(`UPSTASH_REDIS_REST_URL=${server.url}`)
  io.out(`UPSTASH_REDIS_REST_TOKEN=${server.token}`)
  if (server.readonlyToken !== undefined) io.out(`# read-only token: ${server.readonlyToken}`)
  return { exitCode: 0, server }
}
