import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { encodeAvro, SchemaCache } from '../../shared/avro/index.ts';
import type { CompatibilityView, ReplayView, RegistryView, RouteView, SessionView } from '../../shared/console/index.ts';
import { createProducer, sampleEvent } from '../../shared/producer/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

type Json = Record<string, unknown>;
type Answer = { readonly status: number; readonly headers: Headers; readonly text: string };

/** The cpu-usage schema's first version with one more field in its data record. */
function withDataField(document: unknown, field: Json): Json {
  const copy = structuredClone(document) as { fields: { name: string; type: { fields: Json[] } }[] };
  copy.fields.find((candidate) => candidate.name === 'data')!.type.fields.push(field);
  return copy as unknown as Json;
}

describe('the console function under serverless-offline (real NATS, PostgreSQL, bridge)', () => {
  let plane: TestPlane;
  const schemas = new SchemaCache();

  before(async () => {
    plane = await createTestPlane();
  });

  after(async () => {
    await plane?.close();
  });

  async function call(method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${plane.registryUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  function json<T>(answer: Answer): T {
    return JSON.parse(answer.text) as T;
  }

  test('the page and its bundled assets are served with the strict CSP and long-lived hashed names', async () => {
    const page = await call('GET', '/console');

    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'; script-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('access-control-allow-origin'), null);
    const script = /<script type="module" src="(\/console\/assets\/main-[A-Z0-9]+\.js)"><\/script>/.exec(page.text)?.[1];
    const style = /<link rel="stylesheet" href="(\/console\/assets\/main-[A-Z0-9]+\.css)">/.exec(page.text)?.[1];
    assert.ok(script !== undefined && style !== undefined, page.text);
    for (const [path, type] of [
      [script, /^text\/javascript/],
      [style, /^text\/css/],
    ] as const) {
      const asset = await call('GET', path);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type') ?? '', type);
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.ok(asset.text.length > 0);
    }
    assert.equal((await call('GET', '/console/assets/none.js')).status, 404);
    const slash = await call('GET', '/console/');
    assert.equal(slash.status, 200);
    assert.equal(slash.text, page.text);
  });

  test('the registry API still answers everything outside /console', async () => {
    assert.equal((await call('GET', '/schemagroups/metrics/schemas/cpu-usage/versions/1')).status, 200);
    const problem = await call('GET', '/consoles');
    assert.equal(problem.status, 404);
    assert.match(json<Json>(problem).type as string, /#api_not_found$/);
  });

  test('the session says reads are open and who is signed in', async () => {
    const anonymous = json<SessionView>(await call('GET', '/console/api/session'));
    const signedIn = json<SessionView>(await call('GET', '/console/api/session', { token: plane.registryToken }));

    assert.deepEqual(anonymous, {
      stage: 'test',
      requireAuth: false,
      authenticated: false,
      figuresIntervalMs: Number(plane.env.BRIDGE_FIGURES_INTERVAL_MS),
      registryPath: '/',
    });
    assert.equal(signedIn.authenticated, true);
  });

  test('routes list the seeded route with the numeric id and fingerprint producers use', async () => {
    const routes = json<RouteView[]>(await call('GET', '/console/api/routes'));
    const row = routes.find((route) => route.subject === plane.route.subject);

    assert.ok(row !== undefined, JSON.stringify(routes));
    assert.equal(row.route, plane.route.subject);
    assert.deepEqual(row.producerIds, { numericId: plane.route.schema.numericId, fingerprint: plane.route.schema.fingerprint });
    assert.equal(row.schemaVersionXid, plane.route.schema.xid);
    assert.equal(row.deadLetterSubject, plane.route.deadLetterSubject);
    assert.deepEqual(row.sinks, [{ kind: 'postgres', description: 'postgres:metric_events' }]);
  });

  test('the registry view holds the seeded schema under its rule', async () => {
    const view = json<RegistryView>(await call('GET', '/console/api/registry'));
    const schema = view.schemaGroups.find((group) => group.groupId === 'metrics')?.schemas.find((candidate) => candidate.schemaId === 'cpu-usage');

    assert.equal(schema?.compatibility, 'backward');
    assert.deepEqual(
      schema?.versions.map((version) => version.versionId),
      ['1'],
    );
    const message = view.messageGroups.flatMap((group) => group.messages).find((candidate) => candidate.subject === plane.route.subject);
    assert.equal(message?.routed, true);
  });

  test('check names the breaking field of an incompatible schema and passes a compatible one; register needs the token, then the registry has it', async () => {
    const current = plane.route.schema.definition;
    const breaking = withDataField(current, { name: 'host', type: 'string' });
    const compatible = withDataField(current, { name: 'host', type: ['null', 'string'], default: null });
    const body = (document: unknown) => ({ group: 'metrics', schema: 'cpu-usage', text: JSON.stringify(document) });

    const refused = json<CompatibilityView>(await call('POST', '/console/api/registry/check', { body: body(breaking) }));
    const passed = json<CompatibilityView>(await call('POST', '/console/api/registry/check', { body: body(compatible) }));
    const invalid = json<CompatibilityView>(await call('POST', '/console/api/registry/check', { body: { ...body(null), text: '{"type": "record"}' } }));

    assert.equal(refused.compatible, false);
    assert.deepEqual(
      refused.breaking.map(({ path, againstVersion }) => ({ path, againstVersion })),
      [{ path: 'MetricCpuUsageEvent.data.host', againstVersion: '1' }],
    );
    assert.match(refused.breaking[0]!.message, /field "host" was added without a default/);
    assert.deepEqual(passed, { compatibility: 'backward', compatible: true, breaking: [] });
    assert.equal(invalid.compatible, false);
    assert.equal(typeof invalid.invalid, 'string');

    const anonymous = await call('POST', '/console/api/registry/versions', { body: body(compatible) });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
    const rejected = await call('POST', '/console/api/registry/versions', { body: body(breaking), token: plane.registryToken });
    assert.equal(rejected.status, 400);
    assert.match(json<Json>(rejected).detail as string, /breaks "backward" compatibility: MetricCpuUsageEvent\.data\.host/);

    const registered = await call('POST', '/console/api/registry/versions', { body: body(compatible), token: plane.registryToken });
    assert.equal(registered.status, 201, registered.text);
    assert.deepEqual(json<Json>(registered), { xid: '/schemagroups/metrics/schemas/cpu-usage/versions/2', versionId: '2' });
    const stored = await call('GET', '/schemagroups/metrics/schemas/cpu-usage/versions/2');
    assert.equal(stored.status, 200);
    assert.deepEqual(JSON.parse(stored.text), compatible);
  });

  test('a cross-origin write is refused with no CORS header, even with the token', async () => {
    const crossOrigin = await call('POST', '/console/api/registry/versions', {
      body: { group: 'metrics', schema: 'other', text: '"string"' },
      token: plane.registryToken,
      headers: { origin: 'https://evil.example' },
    });
    const preflight = await call('OPTIONS', '/console/api/registry/versions', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });

    assert.equal(crossOrigin.status, 403);
    assert.match(json<Json>(crossOrigin).detail as string, /origin https:\/\/evil\.example are not allowed/);
    assert.equal(preflight.status, 403);
    for (const answer of [crossOrigin, preflight]) {
      assert.deepEqual(
        [...answer.headers.keys()].filter((name) => name.startsWith('access-control-')),
        [],
      );
    }
    assert.equal((await call('GET', '/schemagroups/metrics/schemas/other')).status, 404, 'nothing was written');
  });

  test('a dead letter whose route is then written from the console dry-runs as would-replay; an unfiltered replay is refused', async () => {
    const { route } = plane;
    const subject = `${route.key.type}.v9`;
    const type = schemas.get('console-test', route.schema.definition);
    const ack = await createProducer(plane.js).publishRaw(subject, encodeAvro(type, sampleEvent(route)));
    const id = `${plane.bridgeConfig.nats.ingest.name}:${ack.seq}`;
    const letters = await waitFor(
      `the letter ${id}`,
      () => plane.deadLetters(),
      (all) => all.some((letter) => letter.id === id),
    );
    assert.equal(letters.find((letter) => letter.id === id)?.reason, 'unknown_route');

    const refused = await call('POST', '/console/api/deadletters/replay', { body: { filter: {}, dryRun: false }, token: plane.registryToken });
    assert.equal(refused.status, 400);
    assert.match(json<Json>(refused).detail as string, /^choose letters: ids or a filter/);

    const definition = {
      protocol: 'NATS',
      protocoloptions: { subject },
      dataschemaformat: 'Avro/1.12',
      // Version 1 itself: the raw wire format names no writer, and an earlier test made version 2 the default.
      dataschemaxid: plane.route.schema.xid,
      ingestion: { sink: { kind: 'postgres', table: 'metric_events' }, deadlettersubject: `${plane.runId}dlq.cpu.usage.v9`, wireformat: 'raw' },
    };
    const written = await call('PUT', '/console/api/registry/messages', {
      body: { group: 'metrics', message: subject, definition },
      token: plane.registryToken,
    });
    assert.equal(written.status, 201, written.text);
    assert.deepEqual(json<Json>(written), { xid: `/messagegroups/metrics/messages/${subject}`, created: true });
    const invalid = await call('PUT', '/console/api/registry/messages', {
      body: { group: 'metrics', message: 'broken', definition: { ...definition, ingestion: { ...definition.ingestion, sink: 'nowhere' } } },
      token: plane.registryToken,
    });
    assert.equal(invalid.status, 400);

    // The console's route cache may still remember the subject as unknown for a moment.
    const report = await waitFor(
      'the dry run to find the letter replayable',
      async () =>
        json<ReplayView>(await call('POST', '/console/api/deadletters/replay', { body: { filter: { ids: [id] }, dryRun: true }, token: plane.registryToken })),
      (view) => view.items[0]?.outcome === 'would-replay',
      20_000,
    );
    assert.equal(report.dryRun, true);
    assert.equal(report.examined, 1);
    assert.deepEqual(
      report.items.map((item) => ({ id: item.id, outcome: item.outcome })),
      [{ id, outcome: 'would-replay' }],
    );
    assert.ok(
      (await plane.deadLetters()).some((letter) => letter.id === id),
      'a dry run leaves the letter',
    );
  });
});
