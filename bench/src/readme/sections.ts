/** A README region the generator owns: between `<!-- <marker>:start -->` and `<!-- <marker>:end -->`. */
export interface ReadmeSection {
  /** Path from the repository root. */
  file: string
  marker: string
  /** The benchmark groups it shows, in this order. */
  groups: readonly string[]
}

const rateLimit = ['rate-limit allowed', 'rate-limit over-limit']
const cache = ['cache hit']
const session = ['session read-only', 'session read-modify']

export const readmeSections: readonly ReadmeSection[] = [
  { file: 'README.md', marker: 'bench:summary', groups: [...rateLimit, ...cache, ...session] },
  { file: 'packages/rate-limit/README.md', marker: 'bench:rate-limit', groups: rateLimit },
  { file: 'packages/cache/README.md', marker: 'bench:cache', groups: cache },
  { file: 'packages/session/README.md', marker: 'bench:session', groups: session },
]
