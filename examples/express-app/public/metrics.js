// The live numbers: polls /live-stats (the totals behind /metrics) and draws them as inline SVG.
// In its own function: classic scripts share one global scope with app.js.
;(() => {
  'use strict'

  const SVG = 'http://www.w3.org/2000/svg'
  const SAMPLES = 60
  const WIDTH = 300
  const HEIGHT = 90
  const history = []

  const charts = [
    { id: 'chart-cache', series: [['hit', (s) => s.cache.hit], ['miss', (s) => s.cache.miss], ['stale', (s) => s.cache.stale]] },
    { id: 'chart-rate-limit', series: [['allowed', (s) => s.rateLimit.allowed], ['limited', (s) => s.rateLimit.limited]] },
  ]

  function svgNode(tag, attributes) {
    const node = document.createElementNS(SVG, tag)
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
    return node
  }

  /** One chart: a line per series over the last samples, scaled to the largest value shown. */
  function drawChart({ id, series }) {
    const svg = document.getElementById(id)
    if (!svg) return
    const top = Math.max(1, ...history.flatMap((sample) => series.map(([, read]) => read(sample))))
    const step = WIDTH / (SAMPLES - 1)
    const offset = SAMPLES - history.length
    const nodes = [svgNode('line', { x1: 0, y1: HEIGHT, x2: WIDTH, y2: HEIGHT, class: 'axis' })]
    for (const [name, read] of series) {
      const points = history.map((sample, index) => `${((offset + index) * step).toFixed(1)},${(HEIGHT - (read(sample) / top) * (HEIGHT - 4)).toFixed(1)}`)
      nodes.push(svgNode('polyline', { points: points.join(' '), class: `series ${name}`, 'data-series': name }))
      const latest = history.at(-1)
      const label = document.getElementById(`metric-${name}`)
      if (label && latest) label.textContent = String(read(latest))
    }
    const scale = svgNode('text', { x: 2, y: 10, class: 'scale' })
    scale.textContent = String(top)
    nodes.push(scale)
    svg.replaceChildren(...nodes)
  }

  async function poll() {
    try {
      const response = await fetch('/live-stats', { cache: 'no-store' })
      if (!response.ok) return
      const stats = await response.json()
      history.push(stats)
      if (history.length > SAMPLES) history.shift()
      for (const chart of charts) drawChart(chart)
      document.getElementById('metric-clients').textContent = String(stats.realtime.clients)
      document.getElementById('metric-dropped').textContent = String(stats.realtime.dropped)
      document.getElementById('metric-outages').textContent = String(stats.sessionStoreOutages)
    } catch {
      // The next poll tries again; the chart keeps what it had.
    }
  }

  poll()
  setInterval(() => {
    if (document.visibilityState === 'visible') poll()
  }, 1000)
})()
