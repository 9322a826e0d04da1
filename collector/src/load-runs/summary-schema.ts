/**
 * The JSON schema a posted run summary must match (synthetic/src/contract.ts `RunSummary`).
 * Summaries come from a CLI but are untrusted input: every string and array is bounded, and
 * every figure a trend reads is a number. Unknown fields are kept (a newer CLI may add some):
 * the whole summary is stored as sent.
 */
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const figure = { type: 'number', minimum: 0 } as const;
const count = { type: 'integer', minimum: 0 } as const;
const epochMs = { type: 'integer', minimum: 0, maximum: 8_640_000_000_000 } as const;
const nullableFigure = { type: ['number', 'null'], minimum: 0 } as const;
const list = (items: object, maxItems: number) => ({ type: 'array', maxItems, items }) as const;

const NAME = 2000;

export const requestStatsSchema = {
  type: 'object',
  required: ['name', 'groups', 'count', 'ok', 'ko', 'min', 'max', 'mean', 'stdDev', 'p50', 'p75', 'p95', 'p99', 'rps'],
  properties: {
    name: text(NAME),
    groups: list(text(NAME), 50),
    count,
    ok: count,
    ko: count,
    min: figure,
    max: figure,
    mean: figure,
    stdDev: figure,
    p50: figure,
    p75: figure,
    p95: figure,
    p99: figure,
    rps: figure,
  },
} as const;

export const runSummarySchema = {
  type: 'object',
  required: [
    'simulation', 'label', 'startedAt', 'endedAt', 'durationMs', 'scenarios', 'stopReason', 'global', 'groups', 'requests',
    'errors', 'distribution', 'timeline', 'assertions', 'generator',
  ],
  properties: {
    simulation: { type: 'string', minLength: 1, maxLength: 500 },
    label: { type: ['string', 'null'], maxLength: 500 },
    startedAt: epochMs,
    endedAt: epochMs,
    durationMs: count,
    scenarios: list({ type: 'object', required: ['name', 'users'], properties: { name: text(NAME), users: count } }, 1000),
    stopReason: { type: 'string', enum: ['completed', 'feeder_exhausted', 'max_duration', 'interrupted'] },
    global: requestStatsSchema,
    groups: list(requestStatsSchema, 10_000),
    requests: list(requestStatsSchema, 10_000),
    errors: list({ type: 'object', required: ['reason', 'count', 'percent'], properties: { reason: text(10_000), count, percent: figure } }, 10_000),
    distribution: list({ type: 'object', required: ['fromMs', 'toMs', 'ok', 'ko'], properties: { fromMs: figure, toMs: figure, ok: count, ko: count } }, 10_000),
    timeline: list(
      {
        type: 'object',
        required: ['second', 'activeUsers', 'requests', 'responses', 'ko', 'p50', 'p95', 'p99', 'max'],
        properties: {
          second: count,
          activeUsers: count,
          requests: count,
          responses: count,
          ko: count,
          p50: nullableFigure,
          p95: nullableFigure,
          p99: nullableFigure,
          max: nullableFigure,
        },
      },
      // A day at one point a second; the body limit is the real bound.
      86_400,
    ),
    assertions: list(
      {
        type: 'object',
        required: ['description', 'scope', 'target', 'passed', 'actual'],
        properties: {
          description: text(NAME),
          scope: { type: 'string', enum: ['global', 'group', 'request'] },
          target: text(NAME),
          passed: { type: 'boolean' },
          actual: { type: ['number', 'null'] },
          message: text(10_000),
        },
      },
      10_000,
    ),
    generator: { type: 'object', required: ['node', 'cpuMs', 'peakRssBytes'], properties: { node: text(100), cpuMs: figure, peakRssBytes: figure } },
  },
} as const;
