import { connect } from 'node:net'
import { encodeCommand, parseReply, type RespValue } from './resp.js'

export interface Address {
  host: string
  port: number
}

/**
 * Sends one command over a fresh TCP connection and resolves to its reply. No client library:
 * the harness must work before (and without) any adapter. Rejects on connection errors, error
 * replies and after `timeout` ms.
 */
export function rawCommand(address: Address, args: readonly (string | number)[], timeout = 1000): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port })
    let received = Buffer.alloc(0)
    const finish = (error: Error | undefined, value?: RespValue) => {
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve(value ?? null)
    }
    const timer = setTimeout(
      () => finish(new Error(`${args[0]} to ${address.host}:${address.port} timed out after ${timeout} ms`)),
      timeout,
    )
    socket.once('error', (error) => finish(error))
    socket.once('connect', () => socket.write(encodeCommand(args)))
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const parsed = parseReply(received)
      if (parsed === undefined) return
      if (parsed.value instanceof Error) finish(parsed.value)
      else finish(undefined, parsed.value)
    })
    socket.once('close', () => finish(new Error(`Connection to ${address.host}:${address.port} closed before a reply`)))
  })
}

/** True when the server answers PING with PONG within `timeout` ms. */
export async function ping(address: Address, timeout = 500): Promise<boolean> {
  try {
    return (await rawCommand(address, ['PING'], timeout)) === 'PONG'
  } catch {
    return false
  }
}
