import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RouteContext } from '../../shared/registryApi/context.ts';
import { parsePath } from '../../shared/registryApi/paths.ts';
import type { ApiDeps, ApiRequest, ApiResponse } from '../../shared/registryApi/request.ts';
import { json } from '../../shared/registryApi/responses.ts';
import { ANY_METHOD, type Route, route } from '../../shared/registryApi/route.ts';
import { createRouter } from '../../shared/registryApi/router.ts';
import type { RegistryService } from '../../shared/xregistry/index.ts';

/** A handler that answers with its own name and the placeholders it was given. */
function named(name: string): Route['handler'] {
  return (_context, params) => json(200, { name, params });
}

const TABLE: readonly Route[] = [
  { method: 'GET', pattern: '/', handler: named('root') },
  { method: 'GET', pattern: '/things', handler: named('list') },
  { method: 'POST', pattern: '/things', handler: named('add') },
  { method: 'GET', pattern: '/things/special', handler: named('special') },
  { method: 'GET', pattern: '/things/:id', handler: named('one') },
  { method: 'DELETE', pattern: '/things/:id', handler: named('remove') },
  { method: 'GET', pattern: '/things/:id$details', handler: named('details') },
  { method: 'GET', pattern: '/things/:id/parts/:part', handler: named('part') },
  { method: ANY_METHOD, pattern: '/things/:id/parts$details', handler: named('refusal') },
];

function context(method: string, path: string): RouteContext {
  const request: ApiRequest = { method, path, query: '', headers: {}, body: undefined };
  const deps: ApiDeps = { service: {} as RegistryService, writeToken: undefined, publicUrl: '', corsOrigins: [] };
  return { request, deps, path: parsePath(path), query: new URLSearchParams(), body: () => undefined, location: () => ({}) };
}

async function send(method: string, path: string): Promise<{ response: ApiResponse; json: Record<string, unknown> }> {
  const response = await createRouter(TABLE)(context(method, path));
  return { response, json: JSON.parse(response.body) as Record<string, unknown> };
}

describe('the registry API router', () => {
  test('literals match exactly, placeholders take one decoded segment each, the first matching line answers', async () => {
    assert.deepEqual((await send('GET', '/')).json, { name: 'root', params: {} });
    assert.deepEqual((await send('GET', '/things/')).json, { name: 'list', params: {} });
    assert.deepEqual((await send('GET', '/things/a%2Fb%3A')).json, { name: 'one', params: { id: 'a/b:' } });
    assert.deepEqual((await send('GET', '/things/special')).json, { name: 'special', params: {} });
    assert.deepEqual((await send('GET', '/things/Special')).json, { name: 'one', params: { id: 'Special' } });
    assert.deepEqual((await send('GET', '/things/x/parts/y')).json, { name: 'part', params: { id: 'x', part: 'y' } });
  });

  test('a $details pattern matches only paths with the suffix, and a pattern without it only paths without it', async () => {
    assert.deepEqual((await send('GET', '/things/x$details')).json, { name: 'details', params: { id: 'x' } });
    assert.equal((await send('GET', '/things/x')).json.name, 'one');
    assert.equal((await send('GET', '/things$details')).response.status, 404);
    assert.equal((await send('DELETE', '/things/x$details')).response.status, 405);
  });

  test('a line for any method answers every method', async () => {
    for (const method of ['GET', 'PUT', 'TRACE']) assert.equal((await send(method, '/things/x/parts$details')).json.name, 'refusal');
  });

  test('an unknown path is a 404 api_not_found problem naming the decoded path; no Allow', async () => {
    const { response, json } = await send('GET', '/things/x/parts');
    assert.equal(response.status, 404);
    assert.equal(response.headers['content-type'], 'application/problem+json');
    assert.equal(response.headers.allow, undefined);
    assert.match(String(json.type), /#api_not_found$/);
    assert.equal(json.detail, '/things/x/parts is not an API of this registry');
    assert.equal((await send('GET', '/nothing/th%69ngs')).json.detail, '/nothing/things is not an API of this registry');
    assert.equal((await send('GET', '/nothing/th%69ngs')).json.instance, '/nothing/th%69ngs');
  });

  test('a known path with a method it does not have is a 405 problem listing the methods it has in Allow', async () => {
    const { response, json } = await send('PUT', '/things/a%20b');
    assert.equal(response.status, 405);
    assert.equal(response.headers.allow, 'GET, DELETE');
    assert.equal(response.headers['content-type'], 'application/problem+json');
    assert.match(String(json.type), /#method_not_allowed$/);
    assert.equal(json.detail, 'PUT is not supported on /things/a b');
    assert.equal((await send('DELETE', '/things')).response.headers.allow, 'GET, POST');
    assert.equal((await send('POST', '/')).response.headers.allow, 'GET');
  });

  test('a pattern that is not /-separated segments is refused when the table is built', () => {
    for (const pattern of ['things', '/things/', '/a//b', '/a/:', '/a$details/b', '/$details$details']) {
      assert.throws(() => createRouter([{ method: 'GET', pattern, handler: named('bad') }]), /route pattern/, pattern);
    }
  });

  test('route() hands a handler its placeholders by name', async () => {
    const typed = route('GET', '/g/:group/s/:schema$details', (_context, { group, schema }) => json(200, { group, schema }));
    const response = await createRouter([typed])(context('GET', '/g/a/s/b$details'));
    assert.deepEqual(JSON.parse(response.body), { group: 'a', schema: 'b' });
  });
});
