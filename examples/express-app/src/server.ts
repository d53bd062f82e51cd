import { createClient } from '@rediware/redis'
import { createApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const redis = createClient(process.env)
const app = createApp({ redis })

const server = app.listen(port, () => {
  console.log(`rediware example app on http://localhost:${port} (backend: ${redis.kind})`)
})

function shutdown(): void {
  server.close(() => {
    void redis.close().finally(() => process.exit(0))
  })
}

process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
