import type { Command } from '../types.js'

/** The part of a key Redis Cluster hashes: the first non-empty `{…}`, else the whole key. */
export function slotSource(key: string): string {
  const open = key.indexOf('{')
  if (open === -1) return key
  const close = key.indexOf('}', open + 1)
  if (close === -1 || close === open + 1) return key
  return key.slice(open + 1, close)
}

/** True when every key of every command hashes to the same slot (so they may share a pipeline). */
export function sameSlot(list: readonly Command<unknown>[]): boolean {
  let source: string | undefined
  for (const command of list) {
    for (const index of command.keyIndexes) {
      const key = String(command.args[index])
      const keySource = slotSource(key)
      if (source === undefined) source = keySource
      else if (source !== keySource) return false
    }
  }
  return true
}

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
const crcTable: readonly number[] = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  return crc
})

/** The Cluster slot (0–16383) of a key or a sharded pub/sub channel. */
export function keySlot(key: string): number {
  let crc = 0
  for (const byte of Buffer.from(slotSource(key), 'utf8'))
    crc = ((crc << 8) & 0xffff) ^ (crcTable[((crc >> 8) ^ byte) & 0xff] ?? 0)
  return crc % 16384
}
