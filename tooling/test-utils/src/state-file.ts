import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandLine, isAlive, killPid } from './process-control.js'

/** One server the global setup started. */
export interface ServerRecord {
  pid: number
  port: number
}

interface StateFile {
  ownerPid: number
  servers: ServerRecord[]
}

const STATE_DIR = join(tmpdir(), 'rediware-test-utils')

/** One file per jest process, so concurrent runs never kill each other's servers. */
const stateFile = (ownerPid: number) => join(STATE_DIR, `${ownerPid}.json`)

function readState(file: string): StateFile | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { ownerPid, servers } = parsed as Partial<StateFile>
    if (typeof ownerPid !== 'number' || !Array.isArray(servers)) return undefined
    return { ownerPid, servers: servers.filter((s) => Number.isInteger(s.pid) && Number.isInteger(s.port)) }
  } catch {
    return undefined
  }
}

/** Kills a recorded pid only if it still is the redis-server we started (pids get reused). */
async function killRecorded(record: ServerRecord): Promise<void> {
  const cmd = commandLine(record.pid)
  if (cmd === undefined || !cmd.includes('redis-server') || !cmd.includes(String(record.port))) return
  await killPid(record.pid)
}

export function writeState(servers: readonly ServerRecord[], ownerPid = process.pid): void {
  mkdirSync(STATE_DIR, { recursive: true })
  const state: StateFile = { ownerPid, servers: [...servers] }
  writeFileSync(stateFile(ownerPid), JSON.stringify(state))
}

/** Kills whatever this process' state file still lists, then removes the file. */
export async function killOwnLeftovers(ownerPid = process.pid): Promise<void> {
  const state = readState(stateFile(ownerPid))
  if (state) await Promise.all(state.servers.map(killRecorded))
  rmSync(stateFile(ownerPid), { force: true })
}

/** Kills servers left by earlier runs whose jest process is gone (crash, SIGKILL, Ctrl-C). */
export async function reapAbandoned(): Promise<void> {
  let files: string[]
  try {
    files = readdirSync(STATE_DIR).filter((name) => name.endsWith('.json'))
  } catch {
    return
  }
  for (const name of files) {
    const file = join(STATE_DIR, name)
    const state = readState(file)
    if (state && isAlive(state.ownerPid)) continue
    if (state) await Promise.all(state.servers.map(killRecorded))
    rmSync(file, { force: true })
  }
}
