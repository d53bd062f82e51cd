#!/usr/bin/env node
import { runCli } from './cli-run.js'

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
}

runCli(process.argv.slice(2), io).then(({ exitCode, server }) => {
  if (server === undefined) {
    // Exit now: ioredis may hold reconnect timers for a moment after a failed start.
    process.exit(exitCode)
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
})
