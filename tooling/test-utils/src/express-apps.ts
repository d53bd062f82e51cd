import type { Application } from 'express'
import express4 from 'express4'
import express5 from 'express5'

export type ExpressVersionName = 'express4' | 'express5'

export interface ExpressVersion {
  readonly name: ExpressVersionName
  /** A new, empty app of this Express major (typed with the Express 5 types). */
  create(): Application
}

/** Express 4 and Express 5, side by side: every middleware is tested on both. */
export const expressVersions = [
  { name: 'express4', create: (): Application => express4() },
  { name: 'express5', create: (): Application => express5() },
] as const satisfies readonly ExpressVersion[]

/** Runs `fn` in one jest `describe` per Express major: `title (express4)`, `title (express5)`. */
export function describeExpress(
  title: string,
  fn: (createApp: () => Application, version: ExpressVersionName) => void,
): void {
  for (const version of expressVersions) {
    describe(`${title} (${version.name})`, () => fn(version.create, version.name))
  }
}
