import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { CachedProbe } from '../../bridge/cachedProbe.ts';
import { HttpPortInUseError } from '../../bridge/errors.ts';
import { startHealthServer } from '../../bridge/healthServer.ts';
import type { InvokedStage, LastAnswer } from '../../bridge/measuredInvoker.ts';
import { answeredRecently, type ReadinessReport, readinessReport, startingReport } from '../../bridge/readiness.ts';
import { checkReadiness, type ReadinessDeps } from '../../bridge/readinessChecks.ts';
import { createLogger } from '../../shared/logging/index.ts';

const quiet = createLogger('error');

function deps(overrides: Partial<ReadinessDeps> & { last?: Partial<Record<InvokedStage, LastAnswer>>; failingProbes?: InvokedStage[] } = {}) {
  const asked: string[] = [];
  const probe = (stage: InvokedStage) =>
    new CachedProbe(async () => {
      asked.push(stage);
      if (overrides.failingProbes?.includes(stage)) throw new Error(`${stage}: invoke failed: connect ECONNREFUSED`);
    }, 1000);
  const readiness: ReadinessDeps = {
    connected: () => true,
    consumer: new CachedProbe(async () => {
      asked.push('consumer');
      return {};
    }, 1000),
    answers: { last: (stage) => overrides.last?.[stage] },
    probes: { validate: probe('validate'), route: probe('route'), 'sink-write': probe('sink-write') },
    freshMs: 10_000,
    now: () => 50_000,
    ...overrides,
  };
  return { readiness, asked };
}

describe('readiness', () => {
  test('a stage counts as answering from a recent successful invoke, else from its probe', () => {
    assert.equal(answeredRecently({ ok: true, atMs: 45_000 }, 50_000, 10_000), true);
    assert.equal(answeredRecently({ ok: true, atMs: 40_000 }, 50_000, 10_000), false, 'too old');
    assert.equal(answeredRecently({ ok: false, atMs: 49_000 }, 50_000, 10_000), false, 'failed');
    assert.equal(answeredRecently(undefined, 50_000, 10_000), false, 'never called');
  });

  test('ready only when every check passed', () => {
    const ok = { ok: true } as const;
    const stages = { validate: ok, route: ok, 'sink-write': ok };
    assert.equal(readinessReport({ nats: ok, consumer: ok, stages }).ready, true);
    assert.equal(readinessReport({ nats: ok, consumer: ok, stages: { ...stages, route: { ok: false, detail: 'x' } } }).ready, false);
    assert.equal(readinessReport({ nats: { ok: false, detail: 'x' }, consumer: ok, stages }).ready, false);
    assert.equal(startingReport().ready, false);
  });

  test('recent answers spare the probes; a stage without one is probed and named when it fails', async () => {
    const { readiness, asked } = deps({ last: { validate: { ok: true, atMs: 49_000 } }, failingProbes: ['sink-write'] });
    const report = await checkReadiness(readiness);
    assert.equal(report.ready, false);
    assert.deepEqual(report.checks.stages.validate, { ok: true });
    assert.deepEqual(report.checks.stages.route, { ok: true });
    assert.deepEqual(report.checks.stages['sink-write'], { ok: false, detail: 'sink-write: invoke failed: connect ECONNREFUSED' });
    assert.deepEqual(asked.sort(), ['consumer', 'route', 'sink-write']);
  });

  test('without NATS the consumer is not asked, and the report says NATS is down', async () => {
    const { readiness, asked } = deps({ connected: () => false });
    const report: ReadinessReport = await checkReadiness(readiness);
    assert.equal(report.ready, false);
    assert.equal(report.checks.nats.ok, false);
    assert.equal(report.checks.consumer.ok, false);
    assert.ok(!asked.includes('consumer'));
  });

  test('a consumer that is gone fails its check with the server error', async () => {
    const { readiness } = deps({ consumer: new CachedProbe(async () => Promise.reject(new Error('consumer not found')), 1000) });
    const report = await checkReadiness(readiness);
    assert.deepEqual(report.checks.consumer, { ok: false, detail: 'consumer not found' });
  });
});

describe('health server', () => {
  async function started(ready: boolean) {
    const report = ready
      ? readinessReport({ nats: { ok: true }, consumer: { ok: true }, stages: { validate: { ok: true }, route: { ok: true }, 'sink-write': { ok: true } } })
      : startingReport();
    return startHealthServer({ host: '127.0.0.1', port: 0, metrics: async () => 'a_total 1\n', readiness: async () => report, logger: quiet });
  }

  test('serves metrics as Prometheus text, healthz always, readyz by the report; 404 and 405 otherwise', async () => {
    const server = await started(false);
    const base = `http://127.0.0.1:${server.address.port}`;
    try {
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      assert.equal(await metrics.text(), 'a_total 1\n');
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { status: string }).status, 'not ready');
      assert.equal((await fetch(`${base}/metrics/x`)).status, 404);
      const deleted = await fetch(`${base}/healthz`, { method: 'DELETE' });
      assert.equal(deleted.status, 405);
      assert.equal(deleted.headers.get('allow'), 'GET, HEAD');
    } finally {
      await server.close();
    }
    const ready = await started(true);
    try {
      assert.equal((await fetch(`http://127.0.0.1:${ready.address.port}/readyz`)).status, 200);
    } finally {
      await ready.close();
    }
  });

  test('a port already in use fails the start, naming BRIDGE_HTTP_PORT', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      await assert.rejects(
        startHealthServer({ host: '127.0.0.1', port, metrics: async () => '', readiness: async () => startingReport(), logger: quiet }),
        (error: unknown) => error instanceof HttpPortInUseError && error.message.includes(`BRIDGE_HTTP_PORT ${port}`),
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
