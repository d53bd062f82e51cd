import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** Throws unless every package's `dist` exists and is newer than its `src`: `pnpm pack` packs `dist` as it is. */
export function assertBuilt(root: string, packageDirs: readonly string[]): void {
  const stale = packageDirs.filter((dir) => {
    const dist = join(root, dir, 'dist')
    return !existsSync(dist) || newestMtime(join(root, dir, 'src')) > newestMtime(dist)
  })
  if (stale.length > 0)
    throw new Error(`Run \`pnpm build\` first (\`pnpm test\` does): no fresh dist in ${stale.join(', ')}`)
}
