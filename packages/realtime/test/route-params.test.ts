import { describeBackends, describeExpress, openStream } from '@rediware/test-utils'
import type { Application } from 'express'
import { realtimePair } from './helpers.js'

async function listen(app: Application): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  const { port } = server.address() as import('node:net').AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

// The typed read of req.params is the point: with rt.sse() typed as a plain RequestHandler, Express' types
// infer ParamsDictionary for the whole route and `req.params.room` is `string | undefined` in the guard.
describeBackends('rt.sse() keeps the route parameters Express infers from the path', (backend) => {
  describeExpress('route', (createApp) => {
    test('a guard before rt.sse() reads req.params.room as a string', async () => {
      const pair = realtimePair(backend, { heartbeat: 60_000 })
      const app = createApp()
      app.get(
        '/rooms/:room/events',
        (req, res, next) => {
          const room: string = req.params.room
          if (room.startsWith('private-')) res.status(403).send('private')
          else next()
        },
        pair.a.sse({ channels: (req) => [`room:${String(req.params.room)}`] }),
      )
      const server = await listen(app)
      try {
        expect((await fetch(`${server.url}/rooms/private-1/events`)).status).toBe(403)
        const stream = await openStream(`${server.url}/rooms/lobby/events`)
        expect(stream.status).toBe(200)
        stream.close()
      } finally {
        await pair.close()
        await server.close()
      }
    })
  })
})
