import { connect } from 'node:net'

/**
 * Counts the commands clients send to one Redis while `work` runs, from a raw MONITOR socket (no
 * client library: ioredis' monitor mode can throw on the first lines under heavy traffic). Commands
 * run inside scripts (`[0 lua]`) are left out: one EVALSHA is one command, as Upstash bills it.
 * Lines between two ECHO markers count, so nothing from before or after leaks in.
 */
export async function countCommands(port: number, work: () => Promise<void>): Promise<number> {
  const marker = `bench-queue-${process.pid}-${Date.now()}`
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let buffered = ''
  let counting = false
  let count = 0
  let onStart: () => void = () => undefined
  let onEnd: () => void = () => undefined
  const started = new Promise<void>((resolve) => {
    onStart = resolve
  })
  const ended = new Promise<void>((resolve) => {
    onEnd = resolve
  })
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1')
    let newline = buffered.indexOf('\r\n')
    while (newline >= 0) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 2)
      newline = buffered.indexOf('\r\n')
      if (line.includes(`"${marker}-start"`)) {
        counting = true
        onStart()
      } else if (line.includes(`"${marker}-end"`)) {
        counting = false
        onEnd()
      } else if (counting && line.startsWith('+') && !line.includes(' lua] ')) count += 1
    }
  })
  socket.write('MONITOR\r\n')
  const signal = connect(port, '127.0.0.1')
  const echo = (text: string) => signal.write(`ECHO ${text}\r\n`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  echo(`${marker}-start`)
  await started
  try {
    await work()
  } finally {
    echo(`${marker}-end`)
    await ended
    signal.destroy()
    socket.destroy()
  }
  return count
}
