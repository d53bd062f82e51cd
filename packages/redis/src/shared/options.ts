import { describeValue, parseDuration } from '../duration.js'
import { hasMethods } from '../has-methods.js'

/**
 * Every option name of `T`, each mapped to `true`. Declaring the known-option list with this type
 * makes the compiler reject a list that misses an option of `T` or names one `T` does not have
 * (the `KeysEnum<Options>` pattern of express-rate-limit's `validations.ts`).
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true }

/** Where a prefix can go wrong: braces break Cluster hash tags, glob characters break SCAN. */
const unsafePrefix = /[{}*?[\]\s\p{Cc}]/u

/** The longest `prefix` any package accepts. */
export const MAX_PREFIX_LENGTH = 64

export interface ObjectCheck {
  /** An example of valid options, shown when the value is not an object. */
  example: string
  /** Names used by peer packages, mapped to what to write here instead (shown for an unknown option). */
  hints?: Readonly<Record<string, string>>
}

export interface NumberBounds {
  min?: number
  max?: number
}

/**
 * Parses the options of one rediware package. Every error is a `TypeError` (wrong type) or a
 * `RangeError` (right type, value out of range) whose message starts with the package's name and
 * names the option and the fix.
 *
 * Internal to rediware: exported for our packages, not a stable public API.
 */
export class OptionReader {
  /** `@rediware/cache`, `@rediware/rate-limit`, … */
  readonly scope: string

  constructor(scope: string) {
    this.scope = scope
  }

  typeError(message: string): TypeError {
    return new TypeError(`${this.scope}: ${message}`)
  }

  rangeError(message: string): RangeError {
    return new RangeError(`${this.scope}: ${message}`)
  }

  /**
   * Checks that `input` is a plain options object whose every key is in `names`, and returns it typed.
   * `undefined` values count as absent, so `{ ttl: undefined }` takes the default.
   */
  object<T extends object>(input: unknown, names: OptionNames<T>, check: ObjectCheck): Partial<T> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw this.typeError(`options must be an object such as ${check.example}; got ${describeValue(input)}.`)
    }
    for (const name of Object.keys(input)) {
      if (Object.hasOwn(names, name)) continue
      const hint = check.hints?.[name]
      if (hint !== undefined) throw this.typeError(`unknown option "${name}"; use ${hint}.`)
      throw this.typeError(`unknown option "${name}". Known options: ${Object.keys(names).join(', ')}.`)
    }
    return input as Partial<T>
  }

  /** A nested options object (e.g. `history` or `backoff`), checked the same way, or `undefined`. */
  nested<T extends object>(
    input: unknown,
    name: string,
    names: OptionNames<T>,
    example: string,
  ): Partial<T> | undefined {
    if (input === undefined) return undefined
    return new OptionReader(`${this.scope}: ${name}`).object<T>(input, names, { example })
  }

  /** Milliseconds, or a string such as `'10 s'`; positive unless `allowZero`. */
  duration(value: unknown, name: string, fallback: number, { allowZero = false } = {}): number {
    if (value === undefined) return fallback
    return parseDuration(value, `${this.scope}: ${name}`, { allowZero })
  }

  optionalDuration(value: unknown, name: string, { allowZero = false } = {}): number | undefined {
    if (value === undefined) return undefined
    return parseDuration(value, `${this.scope}: ${name}`, { allowZero })
  }

  /** A whole number within the bounds (default: at least 1). */
  integer(
    value: unknown,
    name: string,
    fallback: number,
    { min = 1, max = Number.MAX_SAFE_INTEGER }: NumberBounds = {},
  ): number {
    if (value === undefined) return fallback
    if (typeof value !== 'number') {
      throw this.typeError(`${name} must be a whole number${describeBounds(min, max)}; got ${describeValue(value)}.`)
    }
    if (!Number.isInteger(value) || value < min || value > max) {
      throw this.rangeError(`${name} must be a whole number${describeBounds(min, max)}; got ${value}.`)
    }
    return value
  }

  /** A finite number within the bounds. */
  number(
    value: unknown,
    name: string,
    fallback: number,
    { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY }: NumberBounds = {},
  ): number {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw this.typeError(`${name} must be a number${describeBounds(min, max)}; got ${describeValue(value)}.`)
    }
    if (!Number.isFinite(value) || value < min || value > max) {
      throw this.rangeError(`${name} must be a finite number${describeBounds(min, max)}; got ${value}.`)
    }
    return value
  }

  boolean(value: unknown, name: string, fallback: boolean): boolean {
    if (value === undefined) return fallback
    if (typeof value !== 'boolean') throw this.typeError(`${name} must be true or false; got ${describeValue(value)}.`)
    return value
  }

  /** A function, described by `signature` in the error (e.g. `(req) => string`). */
  fn<F extends (...args: never[]) => unknown>(value: unknown, name: string, signature: string): F | undefined {
    if (value === undefined) return undefined
    if (typeof value !== 'function')
      throw this.typeError(`${name} must be a function ${signature}; got ${describeValue(value)}.`)
    return value as F
  }

  /**
   * A required object offering `methods`, such as a Realtime of @rediware/realtime; `requirement`
   * completes the error after the option's name (e.g. `must have publish(channel, event)`).
   */
  withMethods<T extends object>(value: unknown, name: string, methods: readonly string[], requirement: string): T {
    if (!hasMethods(value, methods)) throw this.typeError(`${name} ${requirement}; got ${describeValue(value)}.`)
    return value as T
  }

  /** A non-empty string of at most `maxLength` characters. */
  string(value: unknown, name: string, fallback: string, { maxLength = 256 } = {}): string {
    if (value === undefined) return fallback
    if (typeof value !== 'string' || value.length === 0) {
      throw this.typeError(`${name} must be a non-empty string; got ${describeValue(value)}.`)
    }
    if (value.length > maxLength)
      throw this.rangeError(`${name} must be at most ${maxLength} characters; got ${value.length}.`)
    return value
  }

  /** One of a fixed set of strings. */
  oneOf<V extends string>(value: unknown, name: string, allowed: readonly V[], fallback: V): V {
    if (value === undefined) return fallback
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw this.typeError(
        `${name} must be one of ${allowed.map((v) => `'${v}'`).join(', ')}; got ${describeValue(value)}.`,
      )
    }
    return value as V
  }

  /**
   * A key prefix: at most `MAX_PREFIX_LENGTH` characters, without braces (Cluster hash tags), glob
   * characters (SCAN patterns), whitespace or control characters. May be empty.
   */
  prefix(value: unknown, name: string, fallback: string): string {
    if (value === undefined) return fallback
    if (typeof value !== 'string') {
      throw this.typeError(`${name} must be a string such as '${fallback}'; got ${describeValue(value)}.`)
    }
    if (value.length > MAX_PREFIX_LENGTH || unsafePrefix.test(value)) {
      throw this.typeError(
        `${name} must be at most ${MAX_PREFIX_LENGTH} characters without braces, glob characters (* ? [ ]), spaces or control characters, such as '${fallback}'; got ${describeValue(value)}.`,
      )
    }
    return value
  }
}

function describeBounds(min: number, max: number): string {
  const hasMin = Number.isFinite(min)
  const hasMax = Number.isFinite(max) && max !== Number.MAX_SAFE_INTEGER
  if (hasMin && hasMax) return ` from ${min} to ${max}`
  if (hasMin) return ` of at least ${min}`
  if (hasMax) return ` of at most ${max}`
  return ''
}

/** The option reader of one package, e.g. `optionReader('@rediware/cache')`. */
export const optionReader = (scope: string): OptionReader => new OptionReader(scope)
