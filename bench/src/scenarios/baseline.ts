import express from 'express'
import { responseBody } from '../body.js'
import type { Scenario } from '../scenario.js'

export const bareExpress = (group: string): Scenario => ({
  id: `${group}/bare-express`,
  group,
  contender: 'bare express',
  label: 'bare Express (no middleware)',
  path: '/',
  build: async () => {
    const app = express()
    app.get('/', (_req, res) => {
      res.json(responseBody)
    })
    return app
  },
})
