import type { RunResults } from './results.js'
import { extraTables, groupTable, targetTable } from './tables.js'
import { readTarget, targets } from './targets.js'
import { groupsOf } from './summary.js'

/** One line saying how a run was made: settings, pinning, machine load. */
export function describeRun(run: RunResults): string {
  const { settings, pinning } = run
  const pinned =
    pinning.mode === 'taskset'
      ? `pinned with taskset: the app on CPU ${pinning.appCpus}; the load generator, redis-server, upstash-local and the runner on CPU ${pinning.otherCpus}`
      : `**not pinned** (${pinning.reason ?? 'no taskset'}): every process shares every core`
  return [
    `${run.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    `Node ${run.node}`,
    `${run.cores} cores`,
    `load average ${run.loadAverage.map((n) => n.toFixed(1)).join(' / ')} at the start`,
    pinned,
    `${settings.rounds} round${settings.rounds === 1 ? '' : 's'} in rotating order`,
    `${settings.connections} connections`,
    `${settings.durationSeconds} s per scenario after ${settings.warmupSeconds} s warm-up${settings.quick ? ' (--quick)' : ''}`,
  ].join(' · ')
}

export const smokeWarning =
  '**Smoke run**: it checks that the pipeline works end to end, on a busy machine; its figures are not a measurement.'

/** The markdown report of one run, from its JSON alone (so it can be rebuilt from a committed file). */
export function renderReport(run: RunResults, name: string): string {
  const groups = groupsOf(run)
  const readings = targets
    .filter((t) => groups.includes(t.group))
    .map((t) => ({ run: name, reading: readTarget(run, t) }))
  const sections = groups.map((group) => [`## ${group}`, '', groupTable(run, group)].join('\n'))
  const rounds = [
    '| scenario | round | order | app CPU µs/req | Redis CPU µs/req | load generator CPU µs/req | runner CPU µs/req | req/s | p99 ms | Redis cmds/req |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...[...run.measurements]
      .sort((a, b) => a.round - b.round || a.order - b.order)
      .map(
        (m) =>
          `| ${m.scenarioId} | ${m.round + 1} | ${m.order + 1} | ${m.appCpuMicrosPerRequest.toFixed(1)} | ${m.redisCpuMicrosPerRequest.toFixed(1)} | ` +
          `${m.loadCpuMicrosPerRequest.toFixed(1)} | ${m.runnerCpuMicrosPerRequest.toFixed(1)} | ${m.requestsPerSecond.toFixed(0)} | ${m.p99.toFixed(1)} | ${m.redisCommandsPerRequest.toFixed(2)} |`,
      ),
  ].join('\n')
  return [
    `# Benchmark run \`${name}\``,
    '',
    ...(run.smoke ? [smokeWarning, ''] : []),
    `${describeRun(run)}.`,
    '',
    'How it is measured and how to read it: [bench/README.md](../README.md). Generated from ' +
      `\`${name}.json\` by \`pnpm bench\` and \`pnpm bench:readme\`; figures are medians over the rounds, with the smallest and largest round in brackets; ` +
      'ratios are taken within each round, then their median.',
    '',
    '## Targets',
    '',
    readings.length > 0 ? targetTable(readings) : 'No target is measured by this run.',
    '',
    ...sections.flatMap((section) => [section, '']),
    ...extraTables(run, groups).flatMap((table) => [table, '']),
    '## Every round',
    '',
    rounds,
    '',
  ].join('\n')
}
