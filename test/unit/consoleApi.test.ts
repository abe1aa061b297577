import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConsoleDeps, ConsoleConflictError, type ConsoleRegistry, ConsoleUnavailableError, handleConsoleRequest } from '../../shared/console/index.ts';
import type { LetterFilter, PurgeInput, ReplayInput } from '../../shared/console/index.ts';
import type { LogFields, Logger } from '../../shared/logging/index.ts';
import type { ApiRequest, ApiResponse } from '../../shared/registryApi/index.ts';
import type { RouteRecord } from '../../shared/routes/index.ts';
import { XRegistryError, XRegistryErrorType } from '../../shared/xregistry/index.ts';

const TOKEN = 'console-token-0123456789';
const HOST = '127.0.0.1:3000';

type Logged = { readonly level: string; readonly message: string; readonly fields: LogFields | undefined };

function recordingLogger(into: Logged[]): Logger {
  const logger: Logger = {
    debug: (message, fields) => into.push({ level: 'debug', message, fields }),
    info: (message, fields) => into.push({ level: 'info', message, fields }),
    warn: (message, fields) => into.push({ level: 'warn', message, fields }),
    error: (message, fields) => into.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  return logger;
}

const ROUTE: RouteRecord = {
  key: { type: 'metrics.cpu.usage', version: 'v1' },
  subject: 'metrics.cpu.usage.v1',
  messageXid: '/messagegroups/metrics/messages/metrics.cpu.usage.v1',
  schema: {
    xid: '/schemagroups/metrics/schemas/cpu-usage/versions/1',
    schemaXid: '/schemagroups/metrics/schemas/cpu-usage',
    format: 'Avro/1.12',
    definition: 'string',
    numericId: 7,
    fingerprint: '0011223344556677',
    cacheKey: '7@1',
  },
  sinks: [
    { kind: 'postgres', table: 'metric_events' },
    { kind: 'http', url: 'https://hooks.example.com/in?key=secret', mode: 'batch' },
    { kind: 'invalid', problem: 'unknown sink "s3"' },
  ],
  deadLetterSubject: 'deadletter.metrics.cpu.usage.v1',
  retryBudget: undefined,
  wireFormat: 'confluent',
  epoch: 1,
};

type Calls = {
  replays: ReplayInput[];
  purges: PurgeInput[];
  lists: { filter: LetterFilter; limit: number }[];
  posted: { group: string; schema: string; document: unknown }[];
  messages: { group: string; message: string; body: unknown }[];
  logged: Logged[];
};

function fakeRegistry(calls: Calls): ConsoleRegistry {
  return {
    export: async () => ({
      schemagroups: {
        metrics: {
          schemas: {
            'cpu-usage': {
              meta: { compatibility: 'backward', defaultversionid: '2' },
              versions: {
                '2': { versionid: '2', isdefault: true, createdat: '2026-01-02T00:00:00.000Z', numericid: 9 },
                '1': { versionid: '1', isdefault: false, createdat: '2026-01-01T00:00:00.000Z', numericid: 7 },
              },
            },
          },
        },
      },
      messagegroups: {
        metrics: {
          messages: {
            routed: { messageid: 'routed', protocoloptions: { subject: 'metrics.cpu.usage.v1' }, ingestion: { deadlettersubject: 'deadletter.x' } },
            catalogue: { messageid: 'catalogue' },
          },
        },
      },
    }),
    version: async (group, schema, version) => {
      if (version === '404') throw new XRegistryError(XRegistryErrorType.notFound, `/schemagroups/${group}/schemas/${schema}/versions/404 not found`);
      return {
        view: { xid: `/schemagroups/${group}/schemas/${schema}/versions/${version ?? '2'}`, format: 'Avro/1.12', versionid: version ?? '2' },
        document: { type: 'string' },
      };
    },
    checkVersion: async (_group, _schema, document) => {
      if (document === null) return { compatibility: 'backward', breaking: [], invalid: 'not a schema' };
      if (JSON.stringify(document).includes('broken')) {
        return { compatibility: 'backward', breaking: [{ path: 'Metric.unit', message: 'field "unit" was added without a default', againstVersion: '2' }] };
      }
      return { compatibility: 'backward', breaking: [] };
    },
    postVersion: async (group, schema, input) => {
      if (schema === 'refused') throw new XRegistryError(XRegistryErrorType.compatibilityViolation, 'breaks "backward" compatibility: Metric.unit');
      calls.posted.push({ group, schema, document: input.document });
      return '3';
    },
    putMessage: async (group, message, body) => {
      if (message === 'bad') throw new XRegistryError(XRegistryErrorType.invalidData, 'ingestion.sink must be an object with a "kind"');
      calls.messages.push({ group, message, body });
      return { created: true };
    },
  };
}

function setup(overrides: Partial<ConsoleDeps> = {}): { deps: ConsoleDeps; calls: Calls } {
  const calls: Calls = { replays: [], purges: [], lists: [], posted: [], messages: [], logged: [] };
  const deps: ConsoleDeps = {
    stage: 'test',
    auth: { token: TOKEN, requireAuth: false },
    assets: {
      indexHtml: '<!doctype html><title>console</title><script type="module" src="/console/assets/main-ABC.js"></script>',
      files: {
        'main-ABC.js': { contentType: 'text/javascript; charset=utf-8', body: 'console.log(1)', immutable: true },
        'favicon.svg': { contentType: 'image/svg+xml', body: '<svg/>', immutable: false },
      },
    },
    registry: fakeRegistry(calls),
    routes: async () => [ROUTE],
    figuresIntervalMs: 5000,
    overview: async () => {
      throw new ConsoleUnavailableError('the overview is not wired yet');
    },
    letters: {
      list: async (filter, limit) => {
        calls.lists.push({ filter, limit });
        return { letters: [], total: 0, byReason: {}, truncated: false };
      },
      show: async (id) => (id === 'INGEST:1' ? ({ id } as never) : undefined),
      replay: async (input) => {
        calls.replays.push(input);
        return { dryRun: input.dryRun, examined: 1, counts: { replayed: input.dryRun ? 0 : 1 }, items: [] };
      },
      purge: async (input) => {
        calls.purges.push(input);
        if (input.expected !== undefined && input.expected !== 2) throw new ConsoleConflictError('2 letters match now, not 5');
        return { matched: 2, deleted: input.expected === undefined ? 0 : 2, withStoredOriginals: 0 };
      },
    },
    logger: recordingLogger(calls.logged),
    ...overrides,
  };
  return { deps, calls };
}

type RequestOptions = { readonly query?: string; readonly headers?: Record<string, string>; readonly body?: unknown; readonly token?: string };

function request(method: string, path: string, options: RequestOptions = {}): ApiRequest {
  const headers: Record<string, string> = { host: HOST, ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  return {
    method,
    path,
    query: options.query ?? '',
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  };
}

function bodyOf(response: ApiResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

async function send(deps: ConsoleDeps, method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
  return handleConsoleRequest(request(method, path, options), deps);
}

function assertProblem(response: ApiResponse, status: number, detail: RegExp): void {
  assert.equal(response.status, status, response.body);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = bodyOf(response);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.match(String(problem.detail), detail);
}

describe('console: page and assets', () => {
  test('GET /console and /console/ answer index.html under the strict CSP', async () => {
    const { deps } = setup();
    for (const path of ['/console', '/console/']) {
      const response = await send(deps, 'GET', path);
      assert.equal(response.status, 200);
      assert.equal(response.body, deps.assets.indexHtml);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(
        response.headers['content-security-policy'],
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
    }
  });

  test('a hashed asset is cached for a year, immutable; another is revalidated', async () => {
    const { deps } = setup();
    const hashed = await send(deps, 'GET', '/console/assets/main-ABC.js');
    const plain = await send(deps, 'GET', '/console/assets/favicon.svg');

    assert.equal(hashed.status, 200);
    assert.equal(hashed.body, 'console.log(1)');
    assert.equal(hashed.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(hashed.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(hashed.headers['x-content-type-options'], 'nosniff');
    assert.equal(plain.headers['cache-control'], 'no-cache');
  });

  test('an unknown asset, or a name that walks out of the folder, is a 404 problem', async () => {
    const { deps } = setup();
    assertProblem(await send(deps, 'GET', '/console/assets/missing.js'), 404, /not an asset/);
    assertProblem(await send(deps, 'GET', '/console/assets/../handler.js'), 404, /not an asset/);
    assertProblem(await send(deps, 'GET', '/console/assets/constructor'), 404, /not an asset/);
  });

  test('the page and assets answer GET only (405 with Allow)', async () => {
    const { deps } = setup();
    const page = await send(deps, 'POST', '/console', { body: {} });
    const asset = await send(deps, 'PUT', '/console/assets/main-ABC.js', { body: {} });

    assertProblem(page, 405, /POST is not supported/);
    assert.equal(page.headers.allow, 'GET');
    assertProblem(asset, 405, /PUT is not supported/);
  });
});

describe('console: routing', () => {
  test('an unknown path is a 404 problem, under the API and outside it', async () => {
    const { deps } = setup();
    assertProblem(await send(deps, 'GET', '/console/api/nothing'), 404, /\/console\/api\/nothing is not an API of the console/);
    assertProblem(await send(deps, 'GET', '/console/api'), 404, /not an API/);
    assertProblem(await send(deps, 'GET', '/console/elsewhere'), 404, /not part of the console/);
  });

  test('a known path with another method is a 405 naming the allowed ones', async () => {
    const { deps } = setup();
    const response = await send(deps, 'DELETE', '/console/api/registry');
    const versions = await send(deps, 'GET', '/console/api/registry/versions');

    assertProblem(response, 405, /DELETE is not supported on \/console\/api\/registry/);
    assert.equal(response.headers.allow, 'GET');
    assert.equal(versions.headers.allow, 'POST');
  });

  test('OPTIONS is never a preflight: 405, and no CORS header on any answer', async () => {
    const { deps } = setup();
    const response = await send(deps, 'OPTIONS', '/console/api/registry/versions', { headers: { 'access-control-request-method': 'POST' } });

    assertProblem(response, 405, /OPTIONS is not supported/);
    for (const name of Object.keys(response.headers)) assert.doesNotMatch(name, /^access-control-/);
  });

  test('API answers and problems are never cached and carry the security headers', async () => {
    const { deps } = setup();
    for (const response of [await send(deps, 'GET', '/console/api/session'), await send(deps, 'GET', '/console/api/nothing')]) {
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      for (const name of Object.keys(response.headers)) assert.doesNotMatch(name, /^access-control-/);
    }
  });
});

describe('console: auth', () => {
  const register = { group: 'metrics', schema: 'cpu-usage', text: '{"type":"string"}' };

  test('the session says whether reads need the token and whether this request carried it', async () => {
    const { deps } = setup({ auth: { token: TOKEN, requireAuth: true } });
    const anonymous = bodyOf(await send(deps, 'GET', '/console/api/session'));
    const signedIn = bodyOf(await send(deps, 'GET', '/console/api/session', { token: TOKEN }));

    assert.deepEqual(anonymous, { stage: 'test', requireAuth: true, authenticated: false, figuresIntervalMs: 5000, registryPath: '/' });
    assert.equal(signedIn.authenticated, true);
  });

  test('a write without the token is a 401 with WWW-Authenticate: Bearer; a wrong one too', async () => {
    const { deps, calls } = setup();
    const none = await send(deps, 'POST', '/console/api/registry/versions', { body: register });
    const wrong = await send(deps, 'POST', '/console/api/registry/versions', { body: register, token: `${TOKEN}x` });

    assertProblem(none, 401, /Authorization: Bearer/);
    assert.equal(none.headers['www-authenticate'], 'Bearer');
    assertProblem(wrong, 401, /Authorization: Bearer/);
    assert.deepEqual(calls.posted, []);
    assert.ok(calls.logged.some((line) => line.message === 'console write refused' && line.fields?.status === 401));
  });

  test('every write endpoint needs the token; the compatibility check is a read', async () => {
    const { deps } = setup();
    const writes: [string, string, unknown][] = [
      ['POST', '/console/api/registry/versions', register],
      ['PUT', '/console/api/registry/messages', { group: 'g', message: 'm', definition: {} }],
      ['POST', '/console/api/deadletters/replay', { filter: { reason: 'x' }, dryRun: true }],
      ['POST', '/console/api/deadletters/purge', { filter: { reason: 'x' } }],
    ];
    for (const [method, path, body] of writes) assertProblem(await send(deps, method, path, { body }), 401, /Bearer/);
    assert.equal((await send(deps, 'POST', '/console/api/registry/check', { body: register })).status, 200);
  });

  test('with the token a write goes through', async () => {
    const { deps, calls } = setup();
    const response = await send(deps, 'POST', '/console/api/registry/versions', { body: register, token: TOKEN });

    assert.equal(response.status, 201);
    assert.deepEqual(bodyOf(response), { xid: '/schemagroups/metrics/schemas/cpu-usage/versions/3', versionId: '3' });
    assert.deepEqual(calls.posted, [{ group: 'metrics', schema: 'cpu-usage', document: { type: 'string' } }]);
  });

  test('without a configured token every write is a 403: the console is read-only', async () => {
    const { deps } = setup({ auth: { token: undefined, requireAuth: false } });
    const response = await send(deps, 'POST', '/console/api/registry/versions', { body: register, token: TOKEN });

    assertProblem(response, 403, /no REGISTRY_API_TOKEN/);
    assert.equal((await send(deps, 'GET', '/console/api/registry')).status, 200, 'reads still answer');
  });

  test('reads are open unless CONSOLE_REQUIRE_AUTH; then they need the token, the session and page do not', async () => {
    const open = setup().deps;
    const closed = setup({ auth: { token: TOKEN, requireAuth: true } }).deps;
    const reads: [string, string, unknown][] = [
      ['GET', '/console/api/registry', undefined],
      ['GET', '/console/api/routes', undefined],
      ['GET', '/console/api/deadletters', undefined],
      ['POST', '/console/api/registry/check', register],
    ];
    for (const [method, path, body] of reads) {
      assert.equal((await send(open, method, path, { body })).status, 200, `${path} open`);
      const refused = await send(closed, method, path, { body });
      assertProblem(refused, 401, /CONSOLE_REQUIRE_AUTH/);
      assert.equal(refused.headers['www-authenticate'], 'Bearer');
      assert.equal((await send(closed, method, path, { body, token: TOKEN })).status, 200, `${path} with the token`);
    }
    assert.equal((await send(closed, 'GET', '/console/api/session')).status, 200);
    assert.equal((await send(closed, 'GET', '/console')).status, 200);
    assert.equal((await send(closed, 'GET', '/console/assets/main-ABC.js')).status, 200);
  });
});

describe('console: cross-origin refusal', () => {
  test('an Origin that is not the request’s own is refused before anything runs, reads and writes alike', async () => {
    const { deps, calls } = setup();
    const foreign = { origin: 'https://evil.example' };
    const write = await send(deps, 'POST', '/console/api/registry/versions', {
      body: { group: 'g', schema: 's', text: '"string"' },
      token: TOKEN,
      headers: foreign,
    });
    const read = await send(deps, 'GET', '/console/api/registry', { headers: foreign });
    const preflight = await send(deps, 'OPTIONS', '/console/api/registry/versions', { headers: foreign });

    assertProblem(write, 403, /origin https:\/\/evil\.example are not allowed/);
    assertProblem(read, 403, /not allowed/);
    assertProblem(preflight, 403, /not allowed/);
    assert.deepEqual(calls.posted, []);
  });

  test('the same host on another port, or Origin null, is another origin', async () => {
    const { deps } = setup();
    assertProblem(await send(deps, 'GET', '/console/api/registry', { headers: { origin: 'http://127.0.0.1:3001' } }), 403, /not allowed/);
    assertProblem(await send(deps, 'GET', '/console/api/registry', { headers: { origin: 'null' } }), 403, /not allowed/);
  });

  test('the page’s own origin passes; behind a proxy the scheme must match X-Forwarded-Proto', async () => {
    const { deps } = setup();
    assert.equal((await send(deps, 'GET', '/console/api/registry', { headers: { origin: `http://${HOST}` } })).status, 200);
    const proxied = { 'x-forwarded-proto': 'https' };
    assert.equal((await send(deps, 'GET', '/console/api/registry', { headers: { ...proxied, origin: `https://${HOST}` } })).status, 200);
    assertProblem(await send(deps, 'GET', '/console/api/registry', { headers: { ...proxied, origin: `http://${HOST}` } }), 403, /not allowed/);
  });

  test('Sec-Fetch-Site: cross-site is refused even without an Origin', async () => {
    const { deps } = setup();
    assertProblem(await send(deps, 'GET', '/console/api/routes', { headers: { 'sec-fetch-site': 'cross-site' } }), 403, /cross-site/);
    assert.equal((await send(deps, 'GET', '/console/api/routes', { headers: { 'sec-fetch-site': 'same-origin' } })).status, 200);
  });
});

describe('console: registry and routes', () => {
  test('the registry view lists groups, schemas with versions oldest first, and messages routed or not', async () => {
    const { deps } = setup();
    const view = bodyOf(await send(deps, 'GET', '/console/api/registry'));

    assert.deepEqual(view.schemaGroups, [
      {
        groupId: 'metrics',
        schemas: [
          {
            schemaId: 'cpu-usage',
            compatibility: 'backward',
            defaultVersionId: '2',
            versions: [
              { versionId: '1', isDefault: false, createdAt: '2026-01-01T00:00:00.000Z', numericId: 7 },
              { versionId: '2', isDefault: true, createdAt: '2026-01-02T00:00:00.000Z', numericId: 9 },
            ],
          },
        ],
      },
    ]);
    const [group] = view.messageGroups as { messages: { messageId: string; subject: string | null; routed: boolean }[] }[];
    assert.deepEqual(
      group!.messages.map(({ messageId, subject, routed }) => ({ messageId, subject, routed })),
      [
        { messageId: 'routed', subject: 'metrics.cpu.usage.v1', routed: true },
        { messageId: 'catalogue', subject: null, routed: false },
      ],
    );
  });

  test('a version is its document as pretty JSON text; group and schema are required; an unknown one is the registry’s 404', async () => {
    const { deps } = setup();
    const response = await send(deps, 'GET', '/console/api/registry/version', { query: 'group=metrics&schema=cpu-usage&version=1' });

    assert.deepEqual(bodyOf(response), { xid: '/schemagroups/metrics/schemas/cpu-usage/versions/1', format: 'Avro/1.12', text: '{\n  "type": "string"\n}' });
    assertProblem(await send(deps, 'GET', '/console/api/registry/version', { query: 'group=metrics' }), 400, /"schema" is required/);
    const missing = await send(deps, 'GET', '/console/api/registry/version', { query: 'group=metrics&schema=cpu-usage&version=404' });
    assertProblem(missing, 404, /versions\/404 not found/);
    assert.match(String(bodyOf(missing).type), /#not_found$/);
  });

  test('routes: the metrics label, the sinks (an HTTP query hidden), and the ids producers use', async () => {
    const { deps } = setup();
    const [route] = JSON.parse((await send(deps, 'GET', '/console/api/routes')).body) as Record<string, unknown>[];

    assert.equal(route?.route, 'metrics.cpu.usage.v1');
    assert.equal(route?.subject, 'metrics.cpu.usage.v1');
    assert.equal(route?.schemaVersionXid, '/schemagroups/metrics/schemas/cpu-usage/versions/1');
    assert.deepEqual(route?.producerIds, { numericId: 7, fingerprint: '0011223344556677' });
    assert.equal(route?.wireFormat, 'confluent');
    assert.equal(route?.envelope, null);
    assert.equal(route?.retryBudget, null);
    const sinks = route?.sinks as { kind: string; description: string; problem?: string }[];
    assert.deepEqual(sinks[0], { kind: 'postgres', description: 'postgres:metric_events' });
    assert.match(sinks[1]!.description, /^http\/batch:https:\/\/hooks\.example\.com\/in\?sha256=[0-9a-f]{12}$/);
    assert.doesNotMatch(sinks[1]!.description, /secret/);
    assert.deepEqual(sinks[2], { kind: 'invalid', description: 'invalid', problem: 'unknown sink "s3"' });
  });

  test('check: compatible, breaking with the field path and version, and text that is no schema (all 200)', async () => {
    const { deps } = setup();
    const check = async (text: string): Promise<Record<string, unknown>> => {
      const response = await send(deps, 'POST', '/console/api/registry/check', { body: { group: 'metrics', schema: 'cpu-usage', text } });
      assert.equal(response.status, 200);
      return bodyOf(response);
    };

    assert.deepEqual(await check('{"type":"string"}'), { compatibility: 'backward', compatible: true, breaking: [] });
    assert.deepEqual(await check('{"type":"record","name":"broken"}'), {
      compatibility: 'backward',
      compatible: false,
      breaking: [{ path: 'Metric.unit', message: 'field "unit" was added without a default', againstVersion: '2' }],
    });
    const notJson = await check('{"type":');
    assert.equal(notJson.compatible, false);
    assert.match(String(notJson.invalid), /^the text is not JSON: /);
  });

  test('register: text that is not JSON is a 400; the registry’s refusal is its own problem and message', async () => {
    const { deps } = setup();
    const notJson = await send(deps, 'POST', '/console/api/registry/versions', { body: { group: 'g', schema: 's', text: 'nope' }, token: TOKEN });
    const refused = await send(deps, 'POST', '/console/api/registry/versions', { body: { group: 'g', schema: 'refused', text: '"int"' }, token: TOKEN });

    assertProblem(notJson, 400, /the text is not JSON/);
    assertProblem(refused, 400, /^breaks "backward" compatibility: Metric\.unit$/);
    assert.match(String(bodyOf(refused).type), /#compatibility_violation$/);
  });

  test('message write: through the registry, its validation error verbatim as a 400; logged when written', async () => {
    const { deps, calls } = setup();
    const definition = { protocoloptions: { subject: 'metrics.x.v1' } };
    const written = await send(deps, 'PUT', '/console/api/registry/messages', { body: { group: 'metrics', message: 'm', definition }, token: TOKEN });
    const invalid = await send(deps, 'PUT', '/console/api/registry/messages', { body: { group: 'metrics', message: 'bad', definition }, token: TOKEN });
    const noDefinition = await send(deps, 'PUT', '/console/api/registry/messages', { body: { group: 'metrics', message: 'm' }, token: TOKEN });

    assert.equal(written.status, 201);
    assert.deepEqual(bodyOf(written), { xid: '/messagegroups/metrics/messages/m', created: true });
    assert.deepEqual(calls.messages, [{ group: 'metrics', message: 'm', body: definition }]);
    assertProblem(invalid, 400, /^ingestion\.sink must be an object with a "kind"$/);
    assertProblem(noDefinition, 400, /"definition" is required/);
    assert.ok(
      calls.logged.some(
        (line) => line.message === 'console write' && line.fields?.write === 'message write' && line.fields.xid === '/messagegroups/metrics/messages/m',
      ),
    );
  });
});

describe('console: bad input', () => {
  test('bodies: missing, not JSON, not declared JSON, not an object, fields missing', async () => {
    const { deps } = setup();
    const path = '/console/api/registry/check';
    assertProblem(await send(deps, 'POST', path), 400, /needs a JSON body/);
    assertProblem(await send(deps, 'POST', path, { body: '{' }), 400, /not valid JSON/);
    assertProblem(await send(deps, 'POST', path, { body: '{}', headers: { 'content-type': 'text/plain' } }), 415, /application\/json/);
    assertProblem(await send(deps, 'POST', path, { body: '[1]' }), 400, /must be a JSON object/);
    assertProblem(await send(deps, 'POST', path, { body: { group: 'g', schema: 's' } }), 400, /"text" is required/);
    assertProblem(await send(deps, 'POST', path, { body: { group: 'g', schema: 7, text: 'x' } }), 400, /"schema" is required/);
  });

  test('letter queries: limit in range, times that parse, ids repeated or comma-separated', async () => {
    const { deps, calls } = setup();
    assertProblem(await send(deps, 'GET', '/console/api/deadletters', { query: 'limit=0' }), 400, /limit="0"/);
    assertProblem(await send(deps, 'GET', '/console/api/deadletters', { query: 'limit=1e3' }), 400, /limit="1e3"/);
    assertProblem(await send(deps, 'GET', '/console/api/deadletters', { query: 'since=yesterday' }), 400, /since="yesterday": not an ISO-8601 time/);
    assertProblem(await send(deps, 'GET', '/console/api/deadletters/one'), 400, /"id" is required/);
    assertProblem(await send(deps, 'GET', '/console/api/deadletters/one', { query: 'id=INGEST:2' }), 404, /no dead letter with id INGEST:2/);

    const listed = await send(deps, 'GET', '/console/api/deadletters', { query: 'ids=A:1,A:2&ids=A:3&reason=avro_decode_failed&since=2026-01-01T00:00:00Z' });
    assert.equal(listed.status, 200);
    assert.deepEqual(calls.lists, [{ filter: { ids: ['A:1', 'A:2', 'A:3'], reason: 'avro_decode_failed', since: '2026-01-01T00:00:00Z' }, limit: 100 }]);
  });

  test('letter bodies: filter an object of known fields, ids strings, dryRun a boolean, expected a count', async () => {
    const { deps } = setup();
    const replay = (body: unknown): Promise<ApiResponse> => send(deps, 'POST', '/console/api/deadletters/replay', { body, token: TOKEN });
    assertProblem(await replay({ filter: 'all', dryRun: true }), 400, /"filter" must be an object/);
    assertProblem(await replay({ filter: { colour: 'red' }, dryRun: true }), 400, /unknown fields: colour/);
    assertProblem(await replay({ filter: { ids: [1] }, dryRun: true }), 400, /"filter\.ids" must be an array of letter ids/);
    assertProblem(await replay({ filter: { ids: [] }, dryRun: true }), 400, /"filter\.ids" is empty/);
    assertProblem(await replay({ filter: { reason: 'sink_refused' } }), 400, /"dryRun" is required/);
    assertProblem(await replay({ filter: { until: 'soon' }, dryRun: true }), 400, /until="soon": not an ISO-8601 time/);
    const purge = await send(deps, 'POST', '/console/api/deadletters/purge', {
      body: { filter: { reason: 'avro_decode_failed' }, expected: -1 },
      token: TOKEN,
    });
    assertProblem(purge, 400, /"expected" must be the whole number/);
  });
});

describe('console: dead-letter actions', () => {
  test('a replay with an empty filter that is not a dry run is refused; a dry run of all is allowed', async () => {
    const { deps, calls } = setup();
    const refused = await send(deps, 'POST', '/console/api/deadletters/replay', { body: { filter: {}, dryRun: false }, token: TOKEN });
    const noFilter = await send(deps, 'POST', '/console/api/deadletters/replay', { body: { dryRun: false }, token: TOKEN });
    const blank = await send(deps, 'POST', '/console/api/deadletters/replay', { body: { filter: { reason: '' }, dryRun: false }, token: TOKEN });
    const dryRun = await send(deps, 'POST', '/console/api/deadletters/replay', { body: { filter: {}, dryRun: true }, token: TOKEN });

    assertProblem(refused, 400, /^choose letters: ids or a filter/);
    assertProblem(noFilter, 400, /^choose letters/);
    assertProblem(blank, 400, /^choose letters/);
    assert.equal(dryRun.status, 200);
    assert.deepEqual(calls.replays, [{ filter: {}, dryRun: true }]);
  });

  test('a replay by ids runs and is logged with its counts; a dry run is not logged as a write', async () => {
    const { deps, calls } = setup();
    const response = await send(deps, 'POST', '/console/api/deadletters/replay', { body: { filter: { ids: ['INGEST:1'] }, dryRun: false }, token: TOKEN });

    assert.equal(response.status, 200);
    assert.deepEqual(bodyOf(response), { dryRun: false, examined: 1, counts: { replayed: 1 }, items: [] });
    assert.deepEqual(calls.replays, [{ filter: { ids: ['INGEST:1'] }, dryRun: false }]);
    const line = calls.logged.find((entry) => entry.message === 'console write');
    assert.deepEqual(line?.fields, { write: 'replay', filter: { ids: ['INGEST:1'] }, examined: 1, counts: { replayed: 1 } });
  });

  test('a purge with an empty filter only counts: deleting every letter is refused; a misspelt query parameter is refused, not ignored', async () => {
    const { deps, calls } = setup();
    const purge = (body: unknown): Promise<ApiResponse> => send(deps, 'POST', '/console/api/deadletters/purge', { body, token: TOKEN });
    assert.equal((await purge({ filter: {} })).status, 200);
    assertProblem(await purge({ filter: {}, expected: 2 }), 400, /^choose letters: ids or a filter \(a purge of every letter/);
    assertProblem(await purge({ expected: 2 }), 400, /^choose letters/);
    assert.deepEqual(
      calls.purges.map((input) => input.expected),
      [undefined],
    );
    assertProblem(
      await send(deps, 'GET', '/console/api/deadletters', { query: 'reasn=unknown_route' }),
      400,
      /reasn="unknown_route": unknown filter parameter/,
    );
    assert.deepEqual(calls.lists, []);
  });

  test('purge: without expected it only counts; with a stale count it is a 409; with the right one it deletes and logs', async () => {
    const { deps, calls } = setup();
    const purge = (body: unknown): Promise<ApiResponse> => send(deps, 'POST', '/console/api/deadletters/purge', { body, token: TOKEN });

    assert.deepEqual(bodyOf(await purge({ filter: { reason: 'sink_refused' } })), { matched: 2, deleted: 0, withStoredOriginals: 0 });
    assertProblem(await purge({ filter: { reason: 'sink_refused' }, expected: 5 }), 409, /2 letters match now, not 5/);
    assert.deepEqual(bodyOf(await purge({ filter: { reason: 'sink_refused' }, expected: 2 })), { matched: 2, deleted: 2, withStoredOriginals: 0 });
    assert.deepEqual(
      calls.purges.map((input) => input.expected),
      [undefined, 5, 2],
    );
    assert.equal(calls.logged.filter((entry) => entry.message === 'console write' && entry.fields?.write === 'purge').length, 1);
  });
});

describe('console: failures', () => {
  test('a capability not available is a 503 saying so; an unexpected error a 500 that hides it and is logged', async () => {
    const { deps, calls } = setup({
      routes: async () => {
        throw new Error('connection string postgres://secret@db');
      },
    });
    assertProblem(await send(deps, 'GET', '/console/api/overview'), 503, /not wired yet/);
    const failed = await send(deps, 'GET', '/console/api/routes');
    assertProblem(failed, 500, /^the request failed on the server; it is logged$/);
    assert.doesNotMatch(failed.body, /secret/);
    assert.ok(calls.logged.some((line) => line.level === 'error' && line.message === 'console request failed'));
  });
});
