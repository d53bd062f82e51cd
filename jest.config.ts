import type { Config } from 'jest'
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

/** `<rootDir>` of a workspace dir, up to the repository root ('packages/cache' → '<rootDir>/../..'). */
const repoRootFrom = (dir: string): string => ['<rootDir>', ...dir.split('/').map(() => '..')].join('/')

const tsJest = (root: string): Config['transform'] => ({
  '^.+\\.ts$': ['ts-jest', { tsconfig: `${root}/tsconfig.jest.json` }],
})

const workspaceDirs = ['packages', 'tooling', 'examples']
  .flatMap((group) => (existsSync(group) ? readdirSync(group).map((name) => join(group, name)) : []))
  .concat('bench')
  .filter((dir) => existsSync(join(dir, 'test')))

const config: Config = {
  globalSetup: '<rootDir>/tooling/test-utils/src/global-setup.ts',
  globalTeardown: '<rootDir>/tooling/test-utils/src/global-teardown.ts',
  projects: workspaceDirs.map((dir) => ({
    displayName: dir.split('/').pop(),
    rootDir: `<rootDir>/${dir}`,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: tsJest(repoRootFrom(dir)),
    moduleNameMapper: {
      '^@rediware/test-utils$': `${repoRootFrom(dir)}/tooling/test-utils/src/index.ts`,
      '^@rediware/(redis|rate-limit|cache|session|queue|realtime|upstash-local)$': `${repoRootFrom(dir)}/packages/$1/src/index.ts`,
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
  })),
  testTimeout: 30_000,
}

export default config
