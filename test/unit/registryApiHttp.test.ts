import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readJsonBody } from '../../shared/registryApi/body.ts';
import { checkOrigin, corsHeaders, preflight } from '../../shared/registryApi/cors.ts';
import { toApiRequest } from '../../shared/registryApi/httpEvent.ts';
import { parsePath } from '../../shared/registryApi/paths.ts';
import type { ApiRequest } from '../../shared/registryApi/request.ts';
import { jsonDepth, XRegistryError } from '../../shared/xregistry/index.ts';

function request(overrides: Partial<ApiRequest> = {}): ApiRequest {
  return { method: 'POST', path: '/schemagroups/g/schemas/s', query: '', headers: { 'content-type': 'application/json' }, body: '{}', ...overrides };
}

function refusal(run: () => unknown): XRegistryError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof XRegistryError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('registry API request paths', () => {
  test('segments are decoded one by one; $details comes off the last one', () => {
    assert.deepEqual(parsePath('/'), { segments: [], details: false });
    assert.deepEqual(parsePath('/schemagroups/'), { segments: ['schemagroups'], details: false });
    assert.deepEqual(parsePath('/schemagroups/g/schemas/a%3Ab$details'), { segments: ['schemagroups', 'g', 'schemas', 'a:b'], details: true });
  });

  test('dot segments, empty segments and bad percent-encoding are 400s, never resolved', () => {
    for (const path of ['/schemagroups/..', '/schemagroups/.', '/schemagroups/%2e%2e', '/schemagroups/%2E', '/a/../b']) {
      const error = refusal(() => parsePath(path));
      assert.equal(error.status, 400);
      assert.match(error.message, /relative segments are not resolved/);
    }
    assert.match(refusal(() => parsePath('/schemagroups//g')).message, /empty segment/);
    for (const path of ['/schemagroups/%zz', '/schemagroups/%E0%A4%A', '/%'])
      assert.match(refusal(() => parsePath(path)).message, /not valid percent-encoded UTF-8/);
    assert.match(refusal(() => parsePath('schemagroups')).message, /must start with \//);
    assert.equal(refusal(() => parsePath('/schemagroups/$details')).code, 'bad_details');
    assert.match(refusal(() => parsePath('/schemagroups/g$details/schemas')).message, /only end the last path segment/);
  });
});

describe('registry API bodies', () => {
  test('JSON with a JSON media type is read', () => {
    assert.deepEqual(readJsonBody(request({ body: '{"a": [1]}' })), { a: [1] });
    assert.deepEqual(readJsonBody(request({ headers: { 'content-type': 'Application/JSON; charset=utf-8' }, body: '[]' })), []);
    assert.deepEqual(readJsonBody(request({ headers: { 'content-type': 'application/schema+json' }, body: '1' })), 1);
  });

  test('a missing, mistyped, malformed, oversized or too deep body is refused with its own status', () => {
    assert.equal(refusal(() => readJsonBody(request({ body: undefined }))).code, 'missing_body');
    assert.equal(refusal(() => readJsonBody(request({ body: '  \n' }))).code, 'missing_body');
    const untyped = refusal(() => readJsonBody(request({ headers: {} })));
    assert.equal(untyped.status, 415);
    assert.match(untyped.message, /none was given/);
    assert.equal(refusal(() => readJsonBody(request({ headers: { 'content-type': 'text/plain' } }))).status, 415);
    assert.equal(refusal(() => readJsonBody(request({ headers: { 'content-type': 'application/jsonx' } }))).status, 415);
    assert.equal(refusal(() => readJsonBody(request({ body: '{"a":' }))).code, 'parsing_data');
    assert.equal(refusal(() => readJsonBody(request({ body: `"${'x'.repeat(4 * 1024 * 1024)}"` }))).status, 413);
    assert.match(refusal(() => readJsonBody(request({ body: `${'['.repeat(101)}${']'.repeat(101)}` }))).message, /nests more than 100 levels/);
  });

  test('jsonDepth measures without recursion and stops past its limit', () => {
    assert.equal(jsonDepth('x', 10), 0);
    assert.equal(jsonDepth({ a: [{ b: 1 }] }, 10), 3);
    let deep: unknown = 1;
    for (let level = 0; level < 200_000; level += 1) deep = [deep];
    assert.equal(jsonDepth(deep, 64), 65);
  });
});

describe('registry API CORS', () => {
  const origins = ['https://console.example.com'];

  test('no configured origins: no CORS headers for anyone, and preflights are refused', () => {
    const check = checkOrigin(request({ headers: { origin: 'https://console.example.com' } }), []);
    assert.equal(check.kind, 'refused');
    assert.deepEqual(corsHeaders(check, []), {});
    assert.equal(refusal(() => preflight(request({ method: 'OPTIONS' }), check, [])).status, 403);
    assert.equal(refusal(() => preflight(request({ method: 'OPTIONS', headers: {} }), { kind: 'none' }, [])).status, 405);
  });

  test('a configured origin gets its own origin back and no credentials; others only Vary', () => {
    const allowed = checkOrigin(request({ headers: { origin: 'https://console.example.com' } }), origins);
    const headers = corsHeaders(allowed, origins);
    assert.equal(headers['access-control-allow-origin'], 'https://console.example.com');
    assert.equal(headers['access-control-allow-credentials'], undefined);
    assert.equal(headers.vary, 'Origin');
    const answer = preflight(request({ method: 'OPTIONS' }), allowed, origins);
    assert.equal(answer.status, 204);
    assert.match(answer.headers['access-control-allow-methods']!, /DELETE/);
    const other = checkOrigin(request({ headers: { origin: 'https://console.example.com.evil.example' } }), origins);
    assert.deepEqual(corsHeaders(other, origins), { vary: 'Origin' });
  });
});

describe('API Gateway events', () => {
  test('the raw path and query are kept; a null body (serverless-offline) is no body; base64 bodies are decoded', () => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/schemagroups/%2e%2e',
      rawQueryString: 'inline=*',
      headers: { 'Content-Type': 'application/json', host: 'evil.example' },
      requestContext: { http: { method: 'put' } },
      isBase64Encoded: true,
      body: Buffer.from('{"a":1}').toString('base64'),
    } as unknown as Parameters<typeof toApiRequest>[0];
    assert.deepEqual(toApiRequest(event), {
      method: 'PUT',
      path: '/schemagroups/%2e%2e',
      query: 'inline=*',
      headers: { 'content-type': 'application/json', host: 'evil.example' },
      body: '{"a":1}',
    });
    const plain = (body: unknown) => toApiRequest({ ...event, isBase64Encoded: false, body } as unknown as Parameters<typeof toApiRequest>[0]).body;
    assert.equal(plain(null), undefined);
    assert.equal(plain(0), '0');
    assert.equal(plain(false), 'false');
  });
});
