import type { Config } from 'jest'
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'

const tsJest: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../../tsconfig.jest.json' }],
}

const workspaceDirs = ['packages', 'tooling', 'examples']
  .flatMap((group) => (existsSync(group) ? readdirSync(group).map((name) => join(group, name)) : []))
  .filter((dir) => existsSync(join(dir, 'test')))

const config: Config = {
  globalSetup: '<rootDir>/tooling/test-utils/src/global-setup.ts',
  globalTeardown: '<rootDir>/tooling/test-utils/src/global-teardown.ts',
  projects: workspaceDirs.map((dir) => ({
    displayName: dir.split('/').pop(),
    rootDir: `<rootDir>/${dir}`,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: tsJest,
    moduleNameMapper: {
      '^@rediware/test-utils$': '<rootDir>/../../tooling/test-utils/src/index.ts',
      '^@rediware/(redis|rate-limit|cache|session|queue|realtime|upstash-local)$': '<rootDir>/../../packages/$1/src/index.ts',
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
  })),
  testTimeout: 30_000,
}

export default config
