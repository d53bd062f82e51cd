import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describeInstalledTarballs } from '@rediware/test-utils'

// Runs against dist/: `pnpm test` builds first.
describeInstalledTarballs('@rediware/upstash-local', {
  packages: ['packages/upstash-local'],
  imports: {
    commonjs: "const { startUpstashLocal, stripUpstashFlags } = require('@rediware/upstash-local')",
    module: "import { startUpstashLocal, stripUpstashFlags } from '@rediware/upstash-local'",
  },
  smoke: "console.log([typeof startUpstashLocal, typeof stripUpstashFlags].join('|'))",
  expected: 'function|function',
  inCommonjsProject: (project) => {
    const help = execFileSync(join(project.dir, 'node_modules/.bin/upstash-local'), ['--help'], { encoding: 'utf8' })
    expect(help).toMatch(/--redis/)
    expect(help).toMatch(/--token/)
  },
})
