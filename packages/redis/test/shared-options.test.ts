import { type OptionNames, optionReader } from '@rediware/redis'

interface DemoOptions {
  ttl?: number | string
  prefix?: string
  enabled?: boolean
}

const demoNames: OptionNames<DemoOptions> = { ttl: true, prefix: true, enabled: true }

// The compiler keeps the list of known names in step with the options type.
// @ts-expect-error a name is missing
const missing: OptionNames<DemoOptions> = { ttl: true, prefix: true }
// @ts-expect-error a name the type does not have
const extra: OptionNames<DemoOptions> = { ttl: true, prefix: true, enabled: true, max: true }
void missing
void extra

const reader = optionReader('@rediware/demo')

describe('OptionReader', () => {
  it('checks the object and names every unknown option, with a hint for peer names', () => {
    expect(reader.object<DemoOptions>({ ttl: 5 }, demoNames, { example: '{ ttl: 5 }' })).toEqual({ ttl: 5 })
    expect(() => reader.object<DemoOptions>('x', demoNames, { example: '{ ttl: 5 }' })).toThrow(
      new TypeError('@rediware/demo: options must be an object such as { ttl: 5 }; got the string "x".'),
    )
    expect(() => reader.object<DemoOptions>([], demoNames, { example: '{}' })).toThrow(/got an array/)
    expect(() => reader.object<DemoOptions>({ max: 1 }, demoNames, { example: '{}' })).toThrow(
      new TypeError('@rediware/demo: unknown option "max". Known options: ttl, prefix, enabled.'),
    )
    expect(() => reader.object<DemoOptions>({ max: 1 }, demoNames, { example: '{}', hints: { max: 'limit' } })).toThrow(
      new TypeError('@rediware/demo: unknown option "max"; use limit.'),
    )
  })

  it('reads durations as milliseconds or strings, with the option named in errors', () => {
    expect(reader.duration(undefined, 'ttl', 60_000)).toBe(60_000)
    expect(reader.duration('10 s', 'ttl', 1)).toBe(10_000)
    expect(reader.duration(250, 'ttl', 1)).toBe(250)
    expect(reader.duration(0, 'ttl', 1, { allowZero: true })).toBe(0)
    expect(() => reader.duration(0, 'ttl', 1)).toThrow(RangeError)
    expect(() => reader.duration('soon', 'ttl', 1)).toThrow(/^@rediware\/demo: ttl: "soon" is not a duration/)
    expect(reader.optionalDuration(undefined, 'ttl')).toBeUndefined()
  })

  it('reads integers and numbers within bounds (never rounding)', () => {
    expect(reader.integer(undefined, 'count', 3)).toBe(3)
    expect(reader.integer(7, 'count', 3)).toBe(7)
    expect(() => reader.integer('7', 'count', 3)).toThrow(
      new TypeError('@rediware/demo: count must be a whole number of at least 1; got the string "7".'),
    )
    expect(() => reader.integer(1.5, 'count', 3)).toThrow(
      new RangeError('@rediware/demo: count must be a whole number of at least 1; got 1.5.'),
    )
    expect(() => reader.integer(0, 'count', 3)).toThrow(
      new RangeError('@rediware/demo: count must be a whole number of at least 1; got 0.'),
    )
    expect(() => reader.integer(11, 'count', 3, { min: 0, max: 10 })).toThrow(RangeError)
    expect(reader.number(0.5, 'jitter', 0.1, { min: 0, max: 1 })).toBe(0.5)
    expect(() => reader.number(Number.NaN, 'jitter', 0.1)).toThrow(TypeError)
    expect(() => reader.number(Number.POSITIVE_INFINITY, 'jitter', 0.1)).toThrow(RangeError)
  })

  it('reads booleans, functions, strings and enumerations', () => {
    expect(reader.boolean(undefined, 'enabled', true)).toBe(true)
    expect(() => reader.boolean('yes', 'enabled', true)).toThrow(/enabled must be true or false/)
    const fn = () => 1
    expect(reader.fn(fn, 'key', '(req) => string')).toBe(fn)
    expect(reader.fn(undefined, 'key', '(req) => string')).toBeUndefined()
    expect(() => reader.fn(1, 'key', '(req) => string')).toThrow(
      new TypeError('@rediware/demo: key must be a function (req) => string; got number 1.'),
    )
    expect(reader.string('x', 'name', 'd')).toBe('x')
    expect(() => reader.string('', 'name', 'd')).toThrow(TypeError)
    expect(() => reader.string('abcd', 'name', 'd', { maxLength: 3 })).toThrow(RangeError)
    expect(reader.oneOf('b', 'mode', ['a', 'b'] as const, 'a')).toBe('b')
    expect(() => reader.oneOf('c', 'mode', ['a', 'b'] as const, 'a')).toThrow(
      /mode must be one of 'a', 'b'; got the string "c"/,
    )
  })

  it('accepts the same prefixes in every package and refuses what breaks hash tags or SCAN', () => {
    expect(reader.prefix(undefined, 'prefix', 'demo:')).toBe('demo:')
    expect(reader.prefix('', 'prefix', 'demo:')).toBe('')
    expect(reader.prefix('app:v2.demo-x_', 'prefix', 'demo:')).toBe('app:v2.demo-x_')
    for (const bad of ['{x}', 'a*', 'a?', 'a[b]', 'a b', 'a\nb', 'a\u0000', 'x'.repeat(65)]) {
      expect(() => reader.prefix(bad, 'prefix', 'demo:')).toThrow(
        /^@rediware\/demo: prefix must be at most 64 characters/,
      )
    }
    expect(() => reader.prefix(5, 'prefix', 'demo:')).toThrow(TypeError)
  })

  it('checks nested objects with the path in the message', () => {
    interface History {
      maxLen?: number
    }
    const names: OptionNames<History> = { maxLen: true }
    expect(reader.nested<History>(undefined, 'history', names, '{ maxLen: 100 }')).toBeUndefined()
    expect(() => reader.nested<History>({ size: 1 }, 'history', names, '{ maxLen: 100 }')).toThrow(
      new TypeError('@rediware/demo: history: unknown option "size". Known options: maxLen.'),
    )
  })
})
