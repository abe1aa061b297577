import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handleRegistryRequest } from '../../shared/registryApi/api.ts';
import { describeWrite } from '../../shared/registryApi/writeLog.ts';
import type { ApiDeps, ApiResponse } from '../../shared/registryApi/request.ts';
import {
  CcompatCode,
  CcompatError,
  ccompatErrorOf,
  type CcompatService,
  parseVersion,
  type RegistryService,
  subjectOfRoute,
  subjectTarget,
  XRegistryError,
  XRegistryErrorType,
} from '../../shared/xregistry/index.ts';
import { compatibilityOfLevel, versionNumberOf } from '../../shared/xregistry/ccompatSubjects.ts';
import { schemaString, schemaTypeOf } from '../../shared/xregistry/ccompatViews.ts';
import type { SchemaVersionRow } from '../../shared/xregistry/types.ts';

const ROUTES: Readonly<Record<string, { group: string; schema: string }>> = {
  'metrics.cpu.usage.v1': { group: 'metrics', schema: 'cpu-usage' },
};
const routeSchemaOf = (natsSubject: string): { group: string; schema: string } | undefined => ROUTES[natsSubject];

/** The Confluent code a call fails with. */
function codeOf(call: () => unknown): number {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof CcompatError, `a CcompatError, not ${String(error)}`);
    return error.code;
  }
  return assert.fail('the call was expected to fail');
}

describe('ccompat subject naming', () => {
  test('a route subject plus -value is the schema that route reads, in whatever group it is', () => {
    assert.equal(subjectOfRoute('metrics.cpu.usage.v1'), 'metrics.cpu.usage.v1-value');
    assert.deepEqual(subjectTarget('metrics.cpu.usage.v1-value', routeSchemaOf), { group: 'metrics', schema: 'cpu-usage', route: 'metrics.cpu.usage.v1' });
  });

  test('any other subject that is a valid registry id is the schema of that id in the ccompat group', () => {
    assert.deepEqual(subjectTarget('orders-value', routeSchemaOf), { group: 'ccompat', schema: 'orders-value', route: undefined });
    assert.deepEqual(subjectTarget('metrics.cpu.usage.v1', routeSchemaOf), { group: 'ccompat', schema: 'metrics.cpu.usage.v1', route: undefined });
    assert.deepEqual(subjectTarget('metrics.cpu.usage.v1-key', routeSchemaOf), { group: 'ccompat', schema: 'metrics.cpu.usage.v1-key', route: undefined });
    assert.deepEqual(subjectTarget('com.example.Order', routeSchemaOf), { group: 'ccompat', schema: 'com.example.Order', route: undefined });
  });

  test('a name that is no route and no valid id has no place', () => {
    for (const subject of ['-value', 'with space', 'a/b', '', 'x'.repeat(129)]) assert.equal(subjectTarget(subject, routeSchemaOf), undefined, subject);
  });
});

describe('ccompat versions and levels', () => {
  test('"latest", "-1" and 1 … 2^31-1 are versions; anything else is 42202', () => {
    assert.deepEqual(parseVersion('latest'), { kind: 'latest' });
    assert.deepEqual(parseVersion('-1'), { kind: 'latest' });
    assert.deepEqual(parseVersion('1'), { kind: 'number', version: 1 });
    assert.deepEqual(parseVersion('2147483647'), { kind: 'number', version: 2_147_483_647 });
    for (const raw of ['0', '2147483648', 'abc', '1.5', '', '-2', 'Latest', '99999999999']) {
      assert.equal(
        codeOf(() => parseVersion(raw)),
        CcompatCode.invalidVersion,
        raw,
      );
    }
  });

  test('only plain-number xRegistry version ids have a Confluent number', () => {
    assert.equal(versionNumberOf('1'), 1);
    assert.equal(versionNumberOf('42'), 42);
    for (const id of ['01', 'beta', '0', '2147483648', '1.0']) assert.equal(versionNumberOf(id), undefined, id);
  });

  test('levels are the xRegistry compatibility values in any case; anything else is 42203', () => {
    assert.equal(compatibilityOfLevel('FULL'), 'full');
    assert.equal(compatibilityOfLevel('backward_transitive'), 'backward_transitive');
    assert.equal(compatibilityOfLevel('None'), 'none');
    for (const level of ['SIDEWAYS', 42, undefined, '']) {
      assert.equal(
        codeOf(() => compatibilityOfLevel(level)),
        CcompatCode.invalidCompatibilityLevel,
        String(level),
      );
    }
  });
});

describe('ccompat views', () => {
  test('Avro has no schemaType (Confluent default) and its schema is the JSON text; other formats are named', () => {
    assert.equal(schemaTypeOf('Avro/1.12'), undefined);
    assert.equal(schemaTypeOf('JsonSchema/draft-07'), 'JSON');
    assert.equal(schemaTypeOf('Protobuf/3'), 'PROTOBUF');
    const row = (format: string, document: unknown) => ({ format, document }) as SchemaVersionRow;
    assert.equal(schemaString(row('Avro/1.12', 'string')), '"string"', 'an Avro primitive schema is a JSON string');
    assert.equal(schemaString(row('Avro/1.12', { type: 'record', name: 'A', fields: [] })), '{"type":"record","name":"A","fields":[]}');
    assert.equal(schemaString(row('Protobuf/3', 'syntax = "proto3";')), 'syntax = "proto3";');
  });
});

describe('ccompat errors', () => {
  const routes = { extensions: { routes: [{ message: '/messagegroups/m/messages/x', subject: 'x' }] } };

  test('each xRegistry refusal becomes the Confluent code of what was asked, with the status of its first three digits', () => {
    const cases: [XRegistryError, Parameters<typeof ccompatErrorOf>[1], number, number][] = [
      [new XRegistryError(XRegistryErrorType.compatibilityViolation, 'breaks'), 'register', 409, 409],
      [new XRegistryError(XRegistryErrorType.compatibilityViolation, 'breaks'), 'config', 42203, 422],
      [new XRegistryError(XRegistryErrorType.formatViolation, 'bad avro'), 'register', 42201, 422],
      [new XRegistryError(XRegistryErrorType.invalidData, 'no envelope'), 'register', 42201, 422],
      [new XRegistryError(XRegistryErrorType.conflict, 'read by routes', routes), 'delete', 42206, 422],
      [new XRegistryError(XRegistryErrorType.conflict, 'a race'), 'register', 50001, 500],
      [new XRegistryError(XRegistryErrorType.unauthorized, 'token'), 'register', 401, 401],
      [new XRegistryError(XRegistryErrorType.parsingData, 'not JSON'), 'register', 400, 400],
      [new XRegistryError(XRegistryErrorType.unsupportedMediaType, 'text/plain'), 'read', 415, 415],
      [new XRegistryError(XRegistryErrorType.serviceUnavailable, 'down'), 'read', 50001, 500],
    ];
    for (const [error, operation, code, status] of cases) {
      const translated = ccompatErrorOf(error, operation)!;
      assert.deepEqual([translated.code, translated.status, translated.message], [code, status, error.message], `${error.code} in ${operation}`);
    }
  });

  test('only a store error is retryable; other errors are not the ccompat API’s to translate', () => {
    assert.equal(new CcompatError(CcompatCode.storeError, 'x').retryable, true);
    assert.equal(new CcompatError(CcompatCode.incompatibleSchema, 'x').retryable, false);
    assert.equal(ccompatErrorOf(new Error('boom'), 'read'), undefined);
    const own = new CcompatError(CcompatCode.subjectNotFound, 'gone');
    assert.equal(ccompatErrorOf(own, 'read'), own);
    assert.deepEqual(own.toBody(), { error_code: 40401, message: 'gone' });
  });
});

describe('ccompat HTTP layer (stub service)', () => {
  type Call = { readonly method: string; readonly args: readonly unknown[] };

  /** A registry whose ccompat view records each call and answers `answer`, or throws it when it is an Error. */
  function deps(answer: unknown = { id: 7 }): { deps: ApiDeps; calls: Call[] } {
    const calls: Call[] = [];
    const view = new Proxy(
      {},
      {
        get:
          (_target, method: string) =>
          async (...args: unknown[]) => {
            calls.push({ method, args });
            if (answer instanceof Error) throw answer;
            return answer;
          },
      },
    ) as CcompatService;
    const service = { ccompat: () => view } as unknown as RegistryService;
    return { deps: { service, writeToken: 'the-token-of-16-chars', publicUrl: '', corsOrigins: [] }, calls };
  }

  async function send(
    setup: { deps: ApiDeps },
    method: string,
    path: string,
    options: { body?: string; headers?: Record<string, string>; query?: string } = {},
  ): Promise<ApiResponse & { json: Record<string, unknown> }> {
    const response = await handleRegistryRequest({ method, path, query: options.query ?? '', headers: options.headers ?? {}, body: options.body }, setup.deps);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      // Raw schema answers are not objects; the tests that read them use the body.
    }
    return { ...response, json };
  }

  const auth = { authorization: 'Bearer the-token-of-16-chars', 'content-type': 'application/vnd.schemaregistry.v1+json' };
  const avro = JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'A', fields: [] }) });

  test('a write without the token is 401 in a Confluent body, and the registry is not asked', async () => {
    const setup = deps();
    for (const [method, path] of [
      ['POST', '/ccompat/v7/subjects/a/versions'],
      ['PUT', '/ccompat/v7/config'],
      ['PUT', '/ccompat/v7/config/a'],
      ['DELETE', '/ccompat/v7/subjects/a'],
      ['DELETE', '/ccompat/v7/subjects/a/versions/1'],
    ] as const) {
      const response = await send(setup, method, path, { body: avro, headers: { 'content-type': 'application/json' } });
      assert.deepEqual([response.status, response.json.error_code], [401, 401], `${method} ${path}`);
    }
    assert.deepEqual(setup.calls, []);
  });

  test('lookups and compatibility tests are POSTs that only read: no token needed', async () => {
    const setup = deps({ compatible: true, messages: [] });
    const lookup = await send(setup, 'POST', '/ccompat/v7/subjects/a', { body: avro, headers: { 'content-type': 'application/json' } });
    const compatible = await send(setup, 'POST', '/ccompat/v7/compatibility/subjects/a/versions/latest', { body: avro });
    assert.equal(lookup.status, 200);
    assert.deepEqual([compatible.status, compatible.json], [200, { is_compatible: true }]);
    assert.deepEqual(
      setup.calls.map((call) => call.method),
      ['lookup', 'testCompatibility'],
    );
  });

  test('a register body is read as Confluent sends it; other schema types, references and non-JSON schemas are 42201 before the registry is asked', async () => {
    const setup = deps();
    const ok = await send(setup, 'POST', '/ccompat/v7/subjects/a/versions', { body: avro, headers: auth });
    assert.deepEqual([ok.status, ok.json, ok.headers['content-type']], [200, { id: 7 }, 'application/vnd.schemaregistry.v1+json']);
    assert.deepEqual(setup.calls[0], { method: 'register', args: ['a', { type: 'record', name: 'A', fields: [] }] });
    const refused = [
      JSON.stringify({ schema: 'message A {}', schemaType: 'PROTOBUF' }),
      JSON.stringify({ schema: '{"type":"string"}', references: [{ name: 'B', subject: 'b', version: 1 }] }),
      JSON.stringify({ schema: '{"type": ' }),
      JSON.stringify({ schema: 42 }),
      JSON.stringify(['not', 'an', 'object']),
    ];
    for (const body of refused) {
      const response = await send(setup, 'POST', '/ccompat/v7/subjects/a/versions', { body, headers: auth });
      assert.deepEqual([response.status, response.json.error_code], [422, 42201], body);
    }
    assert.equal(setup.calls.length, 1);
  });

  test('bodies without a content type are JSON; a non-JSON type is 415 and a body that is not JSON 400', async () => {
    const setup = deps();
    const none = await send(setup, 'POST', '/ccompat/v7/subjects/a/versions', { body: avro, headers: { authorization: auth.authorization } });
    const text = await send(setup, 'POST', '/ccompat/v7/subjects/a/versions', { body: avro, headers: { ...auth, 'content-type': 'text/plain' } });
    const broken = await send(setup, 'POST', '/ccompat/v7/subjects/a/versions', { body: '{', headers: auth });
    assert.equal(none.status, 200);
    assert.deepEqual([text.status, text.json.error_code], [415, 415]);
    assert.deepEqual([broken.status, broken.json.error_code], [400, 400]);
  });

  test('unknown paths are 404 and unknown methods 405 with Allow, in Confluent bodies; other paths stay the xRegistry API', async () => {
    const setup = deps();
    const unknown = await send(setup, 'GET', '/ccompat/v7/nothing');
    const method = await send(setup, 'PATCH', '/ccompat/v7/subjects/a/versions', { headers: auth });
    const outside = await send(setup, 'GET', '/ccompat');
    assert.deepEqual([unknown.status, unknown.json.error_code], [404, 404]);
    assert.deepEqual([method.status, method.json.error_code, method.headers.allow], [405, 405, 'GET, POST']);
    assert.equal(outside.status, 404);
    assert.match(String(outside.headers['content-type']), /^application\/problem\+json/, 'not under the prefix: an xRegistry problem');
  });

  test('a version or id in the path is checked before the registry is asked', async () => {
    const setup = deps();
    const version = await send(setup, 'GET', '/ccompat/v7/subjects/a/versions/first');
    const id = await send(setup, 'GET', '/ccompat/v7/schemas/ids/-3');
    assert.deepEqual([version.status, version.json.error_code], [422, 42202]);
    assert.deepEqual([id.status, id.json.error_code], [404, 40403]);
    assert.deepEqual(setup.calls, []);
  });

  test('GET /mode says READONLY when no token is configured, READWRITE otherwise', async () => {
    const writable = deps();
    const readOnly = { deps: { ...writable.deps, writeToken: undefined } };
    assert.deepEqual((await send(writable, 'GET', '/ccompat/v7/mode')).json, { mode: 'READWRITE' });
    assert.deepEqual((await send(readOnly, 'GET', '/ccompat/v7/mode')).json, { mode: 'READONLY' });
  });

  test('the write log has ccompat writes with the Confluent message, and not its POSTs that only read', () => {
    const refused = { status: 409, headers: {}, body: JSON.stringify({ error_code: 409, message: 'breaks' }) };
    const request = (method: string, path: string) => ({ method, path, query: '', headers: {}, body: undefined });
    assert.deepEqual(describeWrite(request('POST', '/ccompat/v7/subjects/a/versions'), refused), {
      level: 'warn',
      fields: { method: 'POST', path: '/ccompat/v7/subjects/a/versions', status: 409, detail: 'breaks' },
    });
    assert.equal(describeWrite(request('POST', '/ccompat/v7/subjects/a'), refused), undefined);
    assert.equal(describeWrite(request('POST', '/ccompat/v7/compatibility/subjects/a/versions/latest'), refused), undefined);
    assert.equal(describeWrite(request('GET', '/ccompat/v7/subjects'), refused), undefined);
  });

  test('an unexpected failure is a 500 with code 50001 that says nothing about internals', async () => {
    const setup = deps(new Error('secret internals'));
    const response = await send(setup, 'GET', '/ccompat/v7/subjects');
    assert.deepEqual([response.status, response.json.error_code], [500, 50001]);
    assert.doesNotMatch(response.body, /secret/);
  });
});
