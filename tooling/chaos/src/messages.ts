/** What an app process tells the runner over IPC. */
export type AppMessage =
  | { type: 'ready'; port: number }
  | { type: 'unhandledRejection'; detail: string }
  | { type: 'uncaughtException'; detail: string }
  | { type: 'serverError'; detail: string }

export function isAppMessage(value: unknown): value is AppMessage {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string'
}
