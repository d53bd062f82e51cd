import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** The READMEs users read: the root one and each package's and example's, relative to the repo root. */
export function listReadmes(root: string): string[] {
  const nested = ['packages', 'examples'].flatMap((group) =>
    readdirSync(join(root, group))
      .sort()
      .map((name) => `${group}/${name}/README.md`),
  )
  return ['README.md', ...nested].filter((file) => existsSync(join(root, file)))
}

/** A short name for a README's programs and tests: `root`, `cache`, `express-app`. */
export function readmeName(file: string): string {
  return file === 'README.md' ? 'root' : (file.split('/').at(-2) ?? file)
}
