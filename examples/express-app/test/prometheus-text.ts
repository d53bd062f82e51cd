/** One sample line of the Prometheus text exposition format. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Exposition {
  /** Metric family name → its `# TYPE`. */
  types: Map<string, string>
  samples: Sample[]
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`)
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case; prom-client writes `Nan`. */
function parseValue(raw: string, line: string): number {
  if (/^nan$/i.test(raw)) return Number.NaN
  const infinity = /^([+-]?)inf(inity)?$/i.exec(raw)
  if (infinity !== null) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  const value = Number(raw)
  if (raw === '' || Number.isNaN(value)) throw new SyntaxError(`not a sample value: ${line}`)
  return value
}

function parseLabels(raw: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {}
  LABEL.lastIndex = 0
  while (LABEL.lastIndex < raw.length) {
    const match = LABEL.exec(raw)
    if (match === null) throw new SyntaxError(`bad labels: ${line}`)
    labels[match[1] ?? ''] = (match[2] ?? '').replace(/\\(["\\n])/g, (_all, char: string) =>
      char === 'n' ? '\n' : char,
    )
  }
  return labels
}

/** The family a sample belongs to: histogram and summary samples carry a suffix. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name
  const base = name.replace(/_(bucket|sum|count)$/, '')
  return types.get(base) === 'histogram' || types.get(base) === 'summary' ? base : undefined
}

/** A strict parser of the text format (version 0.0.4): throws on any line it does not recognise. */
export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  if (!text.endsWith('\n')) throw new SyntaxError('the exposition must end with a newline')
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue
    if (line.startsWith('#')) {
      const comment = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line)
      if (comment === null) continue // other comments are allowed
      if (comment[1] === 'TYPE') {
        if (!TYPES.has(comment[3] ?? '')) throw new SyntaxError(`unknown type: ${line}`)
        if (types.has(comment[2] ?? '')) throw new SyntaxError(`second TYPE line: ${line}`)
        types.set(comment[2] ?? '', comment[3] ?? '')
      }
      continue
    }
    const match = SAMPLE.exec(line)
    if (match === null) throw new SyntaxError(`not a sample line: ${line}`)
    const name = match[1] ?? ''
    if (familyOf(name, types) === undefined) throw new SyntaxError(`sample before its TYPE line: ${line}`)
    samples.push({ name, labels: parseLabels(match[2] ?? '', line), value: parseValue(match[3] ?? '', line) })
  }
  return { types, samples }
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function sampleSum(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0)
}
