import type { LocalRedis, Reply } from '@rediware/redis'
import { type CommonArgs, luaPreamble, readCommon } from './shared.js'

/**
 * A counting structure for one policy (sliding log, GCRA), written twice: Lua functions named
 * `<name>_check(key, limit, w)` → (state, fits), `<name>_out(out, key, limit, w, state, ok)` and
 * `<name>_refund(key, limit, w)`, and their TypeScript twins. `limiterLua`/`limiterLocal` drive them
 * over the policies, so each script is the same two passes (check all, then charge all or none).
 */
export interface Mechanism {
  name: string
  lua: string
  check(ctx: PolicyContext, key: string, limit: number, w: number): { state: number; fits: boolean }
  outcome(ctx: PolicyContext, key: string, limit: number, w: number, state: number, ok: boolean): number[]
  refund(ctx: PolicyContext, key: string, limit: number, w: number): void
}

export interface PolicyContext extends CommonArgs {
  redis: LocalRedis
}

/**
 * The Lua of a limiter script over `mechanisms`; `pick` is a Lua expression of `limit` naming the
 * mechanism (e.g. `'log'`) when there are several.
 */
export function limiterLua(mechanisms: readonly Mechanism[], pick?: string): string {
  const [only] = mechanisms
  if (!only) throw new TypeError('limiterLua: no mechanism.')
  // An if/elseif chain over the names rather than a table of the functions: the table (and one
  // per mechanism) would be built again on every call.
  const dispatch = (suffix: string, args: string, assign = '') =>
    pick === undefined
      ? `${assign}${only.name}_${suffix}(${args})`
      : `local which = ${pick} ${mechanisms
          .map(
            (m, index) =>
              `${index === 0 ? 'if' : 'elseif'} which == '${m.name}' then ${assign}${m.name}_${suffix}(${args})`,
          )
          .join(' ')} end`
  return `${luaPreamble}
local nowUs = sec * 1000000 + usec
${mechanisms.map((m) => m.lua).join('\n')}
if mode == 'r' then
  for i = 1, n do
    local limit, w = policy(i)
    ${dispatch('refund', 'KEYS[i], limit, w')}
  end
  return {1}
end
-- One policy (the common case): its arguments parsed once, and no per-policy table.
if n == 1 then
  local limit, w = policy(1)
  local state, fits
  ${dispatch('check', 'KEYS[1], limit, w', 'state, fits = ')}
  local ok = fits and 1 or 0
  local out = {ok}
  ${dispatch('out', 'out, KEYS[1], limit, w, state, ok')}
  return out
end
local S, ok = {}, 1
for i = 1, n do
  local limit, w = policy(i)
  local state, fits
  ${dispatch('check', 'KEYS[i], limit, w', 'state, fits = ')}
  S[i] = state
  if not fits then ok = 0 end
end
local out = {ok}
for i = 1, n do
  local limit, w = policy(i)
  ${dispatch('out', 'out, KEYS[i], limit, w, S[i], ok')}
end
return out
`
}

/** The TypeScript twin of `limiterLua`; `pick` chooses the mechanism from the limit. */
export function limiterLocal(pick: (limit: number) => Mechanism) {
  return (redis: LocalRedis, keys: readonly string[], args: readonly string[]): Reply => {
    const ctx: PolicyContext = { ...readCommon(redis, keys, args), redis }
    const policies = ctx.policies
    if (ctx.mode === 'r') {
      keys.forEach((key, index) => {
        const policy = policies[index]
        if (policy) pick(policy.limit).refund(ctx, key, policy.limit, policy.window)
      })
      return [1]
    }
    let ok = true
    const states = keys.map((key, index) => {
      const { limit, window } = policies[index] ?? { limit: 0, window: 1 }
      const { state, fits } = pick(limit).check(ctx, key, limit, window)
      if (!fits) ok = false
      return state
    })
    const out: number[] = [ok ? 1 : 0]
    keys.forEach((key, index) => {
      const policy = policies[index]
      if (!policy) return
      out.push(...pick(policy.limit).outcome(ctx, key, policy.limit, policy.window, states[index] ?? 0, ok))
    })
    return out
  }
}
