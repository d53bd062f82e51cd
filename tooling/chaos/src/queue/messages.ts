/** What a queue worker process tells the runner over IPC. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'start'; id: string; attempt: number }
  | { type: 'completed'; id: string }
  | { type: 'lost'; id: string }
  | { type: 'problem'; detail: string }

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string'
}
