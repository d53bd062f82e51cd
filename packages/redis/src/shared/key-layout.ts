import { keyPart } from '../keys.js'

/** Keys that one script or multi-key command touches together: they share one `{hash tag}`. */
export class KeyGroup {
  /** The hash tag, `{<prefix><name>}` (the prefix too, so two prefixes' groups spread over slots). */
  readonly tag: string
  readonly #head: string

  constructor(prefix: string, name: string) {
    this.tag = `{${prefix}${keyPart(name)}}`
    this.#head = `${prefix}${this.tag}`
  }

  /** `<prefix>{<group>}:<part>:<part>…`; every part goes through `keyPart`. */
  key(...parts: readonly (string | number)[]): string {
    return parts.length === 0 ? this.#head : `${this.#head}:${parts.map(keyPart).join(':')}`
  }
}

/**
 * Builds the keys of one package from its `prefix`. The rules every package follows:
 *
 * - Input that comes from users or apps (ids, URLs, IPs, channel and queue names) becomes a key part
 *   through `keyPart`: short safe text stays readable, anything else is hashed, so a key is bounded
 *   and cannot carry `{}`, glob characters or separators.
 * - Keys that one script or multi-key command touches together are in one `KeyGroup` (one hash tag,
 *   one Cluster slot). Keys that are never touched together should be in different groups, so a busy
 *   package spreads over a Cluster.
 * - Every key starts with the prefix, so `SCAN <prefix>*` finds all of a package's keys.
 *
 * Each package documents its layout (which groups, which keys, their types and TTLs) in its README.
 */
export class KeyLayout {
  readonly prefix: string

  constructor(prefix: string) {
    this.prefix = prefix
  }

  /** A key outside any group: `<prefix><part>:<part>…`. */
  key(...parts: readonly (string | number)[]): string {
    return `${this.prefix}${parts.map(keyPart).join(':')}`
  }

  group(name: string | number): KeyGroup {
    return new KeyGroup(this.prefix, String(name))
  }
}
