import { createHash, timingSafeEqual } from 'node:crypto'
import type { Express } from 'express'
import type { AppMetrics } from './metrics.js'

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * GET /metrics (Prometheus text) and GET /live-stats (the page's chart numbers). With a token,
 * /metrics wants `Authorization: Bearer <token>`: it shows traffic, outages and policy names,
 * nothing about users, but what it shows helps whoever probes the limits. /live-stats shows only
 * the chart's totals and stays open.
 */
export function mountMetrics(app: Express, metrics: AppMetrics, token: string | undefined): void {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`)
  app.get('/metrics', async (req, res) => {
    if (expected !== undefined && !timingSafeEqual(digest(req.get('authorization') ?? ''), expected)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="metrics"')
        .json({ error: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' })
      return
    }
    const body = await metrics.registry.metrics()
    res.set('Content-Type', metrics.registry.contentType).set('Cache-Control', 'no-store').send(body)
  })
  app.get('/live-stats', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await metrics.live())
  })
}
