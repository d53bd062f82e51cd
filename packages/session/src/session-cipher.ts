import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { describeValue } from '@rediware/redis'

/** Encryption at rest: AES-256-GCM keys, newest first. Older keys only decrypt (key rotation). */
export interface EncryptionOptions {
  /** 32-byte keys as Buffers, base64 or 64 hex characters. The first one encrypts. */
  keys: readonly (string | Buffer)[]
}

const MARK = 'enc1.'

function parseKey(key: unknown, index: number): Buffer {
  let bytes: Buffer | undefined
  if (Buffer.isBuffer(key)) bytes = key
  else if (typeof key === 'string')
    bytes = /^[0-9a-f]{64}$/i.test(key) ? Buffer.from(key, 'hex') : Buffer.from(key, 'base64')
  if (bytes === undefined) {
    throw new TypeError(
      `RedisStore: encryption.keys[${index}] must be a 32-byte Buffer, base64 or hex string; got ${describeValue(key)}.`,
    )
  }
  if (bytes.length !== 32) {
    throw new RangeError(
      `RedisStore: encryption.keys[${index}] must be 32 bytes (AES-256); got ${bytes.length}. Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    )
  }
  return bytes
}

/**
 * Seals session payloads with AES-256-GCM. The session id is the additional authenticated data, so
 * a value copied to another session's key does not decrypt.
 */
export class SessionCipher {
  readonly #keys: { id: string; key: Buffer }[]

  constructor(options: unknown) {
    const keys = (
      typeof options === 'object' && options !== null ? (options as { keys?: unknown }).keys : undefined
    ) as unknown
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new TypeError(
        'RedisStore: encryption must be { keys: [currentKey, ...olderKeys] } with at least one 32-byte key.',
      )
    }
    this.#keys = keys.map((key, index) => {
      const bytes = parseKey(key, index)
      return { id: createHash('sha256').update(bytes).digest('base64url').slice(0, 8), key: bytes }
    })
  }

  seal(plain: string, sid: string): string {
    const current = this.#keys[0]
    if (current === undefined) throw new Error('no encryption key')
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', current.key, iv)
    cipher.setAAD(Buffer.from(sid, 'utf8'))
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return `${MARK}${current.id}.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${body.toString('base64url')}`
  }

  /** Decrypts a sealed payload; a payload that was never encrypted (older data) is returned as is. */
  open(payload: string, sid: string): string {
    if (!payload.startsWith(MARK)) return payload
    const [id, iv, tag, body] = payload.slice(MARK.length).split('.')
    const entry = this.#keys.find((key) => key.id === id)
    if (entry === undefined || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('session encrypted with an unknown key')
    }
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(sid, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8')
  }
}
