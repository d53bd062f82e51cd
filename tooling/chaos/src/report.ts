import type { ChaosRow } from './run.js'
import type { ChaosSettings } from './settings.js'

function statuses(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ')
}

/** True when the row meets the bar: nothing hung, crashed or went unhandled, and everything recovered. */
export function rowPasses(row: ChaosRow): boolean {
  return (
    row.load.hung === 0 &&
    row.crashes === 0 &&
    row.unhandledRejections === 0 &&
    row.uncaughtExceptions === 0 &&
    row.serverErrors === 0 &&
    (row.load.statuses.reset ?? 0) === 0 &&
    row.recoveryMs >= 0 &&
    row.admitted === row.limit &&
    row.cacheHits &&
    row.sessionsLost === 0 &&
    row.logoutsRevived === 0
  )
}

/** The faults × backends table, as markdown. */
export function markdownTable(rows: readonly ChaosRow[], settings: ChaosSettings): string {
  const header = [
    '| backend | fault | sent | answers by status | slowest (ms) | hung | crashes | unhandled rejections | errors at the app error handler | ready again after (ms) | fresh key admits | cache hits again | sessions intact | logged-out sessions dead |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ]
  const lines = rows.map((row) =>
    [
      row.backend,
      `${row.fault}${settings.rounds > 1 ? ` #${row.round}` : ''}`,
      row.load.sent,
      statuses(row.load.statuses),
      Math.round(row.load.slowestMs),
      row.load.hung,
      row.crashes,
      row.unhandledRejections + row.uncaughtExceptions,
      row.serverErrors,
      row.recoveryMs < 0 ? 'never' : row.recoveryMs,
      `${row.admitted} / ${row.limit}`,
      row.cacheHits ? 'yes' : 'NO',
      `${row.sessionsChecked - row.sessionsLost} / ${row.sessionsChecked}`,
      `${row.logoutsChecked - row.logoutsRevived} / ${row.logoutsChecked}`,
    ].join(' | '),
  )
  const setup =
    `${settings.processes} app processes per backend; load ≤ ${settings.rate} req/s, ≤ ${settings.concurrency} in flight, ` +
    `deadline ${settings.deadlineMs} ms; ${settings.loadBeforeMs} ms of load before each fault and ${settings.loadAfterMs} ms after it is undone; ` +
    `kill / OOM / upstash-local stop held ${settings.holdMs} ms; ` +
    `Redis call deadline ${settings.redisTimeoutMs > 0 ? `${settings.redisTimeoutMs} ms` : "the client's default (250 ms TCP, 1 s Upstash)"}.`
  return [setup, '', ...header, ...lines.map((line) => `| ${line} |`)].join('\n')
}
