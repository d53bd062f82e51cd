/** What a realtime app process tells the runner over IPC. */
export type AppMessage = { type: 'ready'; port: number } | { type: 'problem'; detail: string }

export function isAppMessage(value: unknown): value is AppMessage {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string'
}
