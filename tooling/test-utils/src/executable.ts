import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Absolute path of `name` on PATH, or a clear error saying how to install it. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  throw new Error(
    `${name} was not found on PATH. Install Redis (e.g. \`apt-get install redis-server\` or \`brew install redis\`) ` +
      'or set REDIS_URL to an existing server for the standalone tests.',
  )
}
