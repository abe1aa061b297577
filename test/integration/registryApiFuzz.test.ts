import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { isProblem, rawRequest, type RawRequest, type RawResponse } from '../helpers/registryClient.ts';

// Bounded and reproducible: a fixed seed (override with REGISTRY_FUZZ_SEED), a fixed number of
// requests sent one after another, so the same seed replays the same sequence against a fresh plane.
// No time budget: a slow machine makes the run longer, never a failure (each request still has
// rawRequest's own timeout, so a request that gets no answer at all is a failure, not a hang).
const SEED = Number(process.env.REGISTRY_FUZZ_SEED ?? 917_261);
const REQUESTS = Number(process.env.REGISTRY_FUZZ_REQUESTS ?? 3000);

/** mulberry32: a tiny seeded PRNG, so a failing sequence can be replayed exactly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Pick = <T>(items: readonly T[]) => T;

const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';
const METHODS = ['GET', 'GET', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE'];
const SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%2F',
  '%2f..',
  '$details',
  'x$details',
  'A'.repeat(130),
  'Metrics',
  'METRICS',
  '%C3%BC',
  '%C0%AF',
  '~',
  '@:x',
  '*',
  'versions',
  'meta',
  'schemas',
  'messages',
  'fuzz',
  'fuzz2',
  '1',
  '2',
  '99',
  '%20',
  '_x',
  '-x',
  'model',
  'export',
];
const QUERIES = [
  '',
  'inline',
  'inline=*',
  'inline=versions,meta,schema',
  'inline=%zz',
  'filter=',
  'filter=a',
  'filter=versionid=1',
  'filter=a=b,c',
  'filter=self.x=null',
  'epoch=1',
  'epoch=abc',
  'epoch=-1',
  'epoch=99999999999999999999',
  'specversion=0.1',
  'a=%',
  '&&&',
  '=',
  'inline=*&filter=schemaid=cpu-usage',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/problem+json',
  'application/xml',
  'application/json;;;',
  'x',
];
const KEYS = [
  'name',
  'description',
  'labels',
  'epoch',
  'createdat',
  'modifiedat',
  'schemagroupid',
  'schemas',
  'versions',
  'meta',
  'schema',
  'format',
  'compatibility',
  'defaultversionid',
  'defaultversionsticky',
  'protocol',
  'protocoloptions',
  'subject',
  'dataschemaxid',
  'dataschemaformat',
  'ingestion',
  'sink',
  'sinks',
  'kind',
  'table',
  'columns',
  'deadlettersubject',
  'retrybudget',
  'wireformat',
  'registryid',
  'specversion',
  'xref',
  'self',
  'numericid',
  'versionid',
  'messagegroups',
  'schemagroups',
  'messages',
  'type',
  'fields',
  'items',
  'bogus',
  '__proto__',
  'constructor',
];
const STRINGS = [
  '',
  'x',
  'nul \u0000 byte',
  'pg_catalog.pg_authid',
  '..',
  'metric_events',
  'xr_messages',
  'postgres',
  'http',
  'nats',
  'record',
  'string',
  'int',
  'Avro/1.12',
  'backward',
  'full_transitive',
  'none',
  'raw',
  'schema-id',
  '/schemagroups/metrics/schemas/cpu-usage',
  '/schemagroups/metrics/schemas/cpu-usage/versions/1',
  '2024-01-01T00:00:00Z',
  'not a date',
  '\ud800',
  'é'.repeat(50),
  'z'.repeat(5000),
];

function jsonValue(pick: Pick, next: () => number, depth: number): unknown {
  const roll = next();
  if (depth <= 0 || roll < 0.35) return pick<unknown>([pick(STRINGS), Math.floor(next() * 10) - 2, 1e308, -0.5, 2 ** 53, true, false, null]);
  if (roll < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => jsonValue(pick, next, depth - 1));
  const entries = Array.from({ length: 1 + Math.floor(next() * 5) }, () => [pick(KEYS), jsonValue(pick, next, depth - 1)] as const);
  return Object.fromEntries(entries);
}

/** A plausible body mutated a little: a schema, a route or a group with one attribute replaced. */
function templateBody(pick: Pick, next: () => number, runId: string, v1: unknown): unknown {
  const route = {
    protocoloptions: { subject: `${runId}.fuzz${Math.floor(next() * 5)}.v1` },
    dataschemaxid: pick([SCHEMA, `${SCHEMA}/versions/1`, '/schemagroups/fuzz/schemas/s', '/nowhere']),
    ingestion: {
      sink: { kind: 'postgres', table: pick(['fuzz_events', 'pg_catalog.x', 'xr_schemas', 'newschema.t', 'metric_events']) },
      deadlettersubject: `${runId}dlq.fuzz.v1`,
    },
  };
  const schema = structuredClone(v1) as { fields: unknown[] };
  const templates: unknown[] = [
    route,
    { ...route, [pick(KEYS)]: jsonValue(pick, next, 2) },
    schema,
    {
      ...schema,
      fields: [
        ...schema.fields,
        { name: `f${Math.floor(next() * 9)}`, type: pick(['string', 'int', ['null', 'string']]), ...(next() < 0.5 ? { default: null } : {}) },
      ],
    },
    { ...schema, fields: schema.fields.slice(0, Math.floor(next() * schema.fields.length)) },
    { schema, format: pick(['Avro/1.12', 'Protobuf', 'avro/1']), [pick(KEYS)]: jsonValue(pick, next, 1) },
    { compatibility: pick(['none', 'backward', 'forward', 'full', 'sideways']), defaultversionid: pick(['1', '2', '9']), defaultversionsticky: next() < 0.5 },
    { description: pick(STRINGS), labels: next() < 0.7 ? { team: 'x' } : { team: 1 } },
    { schemagroups: { [pick(['fuzz', 'Fuzz', 'metrics', '..'])]: { schemas: { s: { versions: { '1': { schema } } } } } } },
  ];
  return pick(templates);
}

function bodyFor(pick: Pick, next: () => number, runId: string, v1: unknown): string | Buffer | undefined {
  const roll = next();
  if (roll < 0.1) return undefined;
  if (roll < 0.2) return pick(['', ' ', 'null', '[]', '{}', '{', '"str"', '123', '{"a":}', '\u0000', 'true']);
  if (roll < 0.25) return Buffer.from(Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256)));
  if (roll < 0.27) return `${'['.repeat(150)}${']'.repeat(150)}`;
  if (roll < 0.275) return `"${'x'.repeat(4 * 1024 * 1024 + 10)}"`;
  if (roll < 0.45) return JSON.stringify(jsonValue(pick, next, 4));
  return JSON.stringify(templateBody(pick, next, runId, v1));
}

function pathFor(pick: Pick, next: () => number, paths: readonly string[]): string {
  const segments = pick(paths).split('/').slice(1);
  const mutations = next() < 0.5 ? 0 : 1 + Math.floor(next() * 3);
  for (let count = 0; count < mutations; count += 1) {
    const at = Math.floor(next() * (segments.length + 1));
    const roll = next();
    if (roll < 0.4) segments.splice(at, 0, pick(SEGMENTS));
    else if (roll < 0.7 && segments.length > 0) segments[Math.min(at, segments.length - 1)] = pick(SEGMENTS);
    else if (roll < 0.85 && segments.length > 0) segments.splice(Math.min(at, segments.length - 1), 1);
    else segments.push(`${segments.pop() ?? ''}$details`);
  }
  return `/${segments.join('/')}${next() < 0.05 ? '/' : ''}`;
}

function headersFor(pick: Pick, next: () => number, token: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const auth = next();
  if (auth < 0.7) headers.authorization = `Bearer ${token}`;
  else if (auth < 0.85) headers.authorization = pick(['Bearer', 'Bearer wrong-token-wrong-token', 'Basic eDp5', `bearer ${token}`]);
  if (hasBody && next() < 0.92) headers['content-type'] = next() < 0.75 ? 'application/json' : pick(CONTENT_TYPES);
  if (next() < 0.15) headers.origin = pick(['https://evil.example', 'null', 'http://127.0.0.1']);
  if (next() < 0.1) Object.assign(headers, { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'gopher' });
  if (next() < 0.15)
    headers[pick(['xregistry-epoch', 'xregistry-format', 'xregistry-versionid', 'xregistry-foo', 'xregistry-labels-x', 'xregistry-self'])] = pick([
      '1',
      'abc',
      '-5',
      'Avro/1.12',
      'protobuf',
      '',
    ]);
  if (next() < 0.05) headers['access-control-request-method'] = pick(['PUT', 'DELETE']);
  return headers;
}

describe('fuzz: the registry API answers every request with a success or a problem document, never a 5xx', () => {
  let plane: TestPlane;

  before(async () => {
    plane = await createTestPlane();
  });

  after(async () => {
    await plane?.close();
  });

  test(`${REQUESTS} mutated requests (seed ${SEED})`, async () => {
    const next = random(SEED);
    const pick: Pick = (items) => items[Math.floor(next() * items.length)]!;
    const v1 = (await rawRequest(plane.registryUrl, { method: 'GET', path: SCHEMA })).json;
    const message = `/messagegroups/metrics/messages/${plane.route.subject}`;
    const paths = [
      '/',
      '/model',
      '/capabilities',
      '/export',
      '/schemagroups',
      '/schemagroups/metrics',
      '/schemagroups/metrics/schemas',
      SCHEMA,
      `${SCHEMA}$details`,
      `${SCHEMA}/meta`,
      `${SCHEMA}/versions`,
      `${SCHEMA}/versions/1`,
      `${SCHEMA}/versions/1$details`,
      '/messagegroups',
      '/messagegroups/metrics',
      '/messagegroups/metrics/messages',
      message,
      '/schemagroups/fuzz',
      '/schemagroups/fuzz/schemas/s',
      '/schemagroups/fuzz/schemas/s/versions/2',
      '/messagegroups/fuzz/messages/m',
    ];
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const started = Date.now();
    for (let index = 0; index < REQUESTS; index += 1) {
      const method = pick(METHODS);
      const path = pathFor(pick, next, paths);
      const query = pick(QUERIES);
      const body = method === 'GET' || method === 'OPTIONS' ? (next() < 0.05 ? '{"ignored":true}' : undefined) : bodyFor(pick, next, plane.runId, v1);
      const request: RawRequest = {
        method,
        path: query === '' ? path : `${path}?${query}`,
        headers: headersFor(pick, next, plane.registryToken, body !== undefined),
        body,
      };
      let response: RawResponse;
      try {
        response = await rawRequest(plane.registryUrl, request);
      } catch (error) {
        failures.push(`#${index} ${method} ${request.path}: no answer (${(error as Error).message})`);
        continue;
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const fine = response.status < 400 ? response.status < 300 : response.status < 500 && isProblem(response);
      if (!fine) {
        const sent = typeof body === 'string' ? body.slice(0, 200) : body === undefined ? '(none)' : `${body.length} bytes`;
        failures.push(
          `#${index} ${method} ${request.path} ${JSON.stringify(request.headers)} body ${sent} -> ${response.status} ${response.text.slice(0, 300)}`,
        );
      }
    }
    const summary = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}:${count}`)
      .join(' ');
    console.log(`registry fuzz seed ${SEED}: ${REQUESTS} requests in ${Date.now() - started} ms; statuses ${summary}`);
    assert.ok(
      (statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0,
      `the corpus reaches both successes and refusals: ${summary}`,
    );
    assert.deepEqual(
      failures.slice(0, 10),
      [],
      `${failures.length} bad answers; replay with REGISTRY_FUZZ_SEED=${SEED} node --import tsx --test test/integration/registryApiFuzz.test.ts`,
    );
  });
});
