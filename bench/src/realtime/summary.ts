import type { ContenderId } from './contenders.js'
import type { ContenderRound, RealtimeResults } from './results.js'

export type NumericFigure = {
  [K in keyof ContenderRound]: ContenderRound[K] extends number ? K : never
}[keyof ContenderRound]

import { type Spread, spreadOf } from '../summary.js'

export type { Spread }

/** The contenders of a run, in the order of its first round. */
export const contendersOf = (results: RealtimeResults): { id: ContenderId; name: string }[] =>
  (results.rounds[0] ?? []).map(({ contender, name }) => ({ id: contender, name }))

const roundOf = (round: readonly ContenderRound[], id: ContenderId) => round.find((r) => r.contender === id)

/** One figure of one contender over the rounds. */
export function figure(results: RealtimeResults, id: ContenderId, key: NumericFigure): Spread {
  return spreadOf(results.rounds.flatMap((round) => roundOf(round, id)?.[key] ?? []))
}

/** Ours over a peer's, round by round (both measured within the same round). */
export function ratio(results: RealtimeResults, peer: ContenderId, key: NumericFigure): Spread {
  return spreadOf(
    results.rounds.flatMap((round) => {
      const ours = roundOf(round, 'rediware')?.[key]
      const theirs = roundOf(round, peer)?.[key]
      return ours === undefined || theirs === undefined ? [] : [ours / theirs]
    }),
  )
}
