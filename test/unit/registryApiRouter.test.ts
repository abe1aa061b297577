import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handleRegistryRequest } from '../../shared/registryApi/api.ts';
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

describe("the registry API's table", () => {
  // No request here reaches the service: each is answered by the router or a refusal in the table.
  const deps: ApiDeps = { service: {} as RegistryService, writeToken: 'token', publicUrl: '', corsOrigins: [] };
  const call = (method: string, path: string) =>
    handleRegistryRequest({ method, path, query: '', headers: { authorization: 'Bearer token' }, body: undefined }, deps);

  test('each level lists its own methods in Allow', async () => {
    const allowed: [string, string][] = [
      ['/', 'GET, PUT, PATCH'],
      ['/model', 'GET'],
      ['/export', 'GET'],
      ['/schemagroups', 'GET, POST'],
      ['/messagegroups/g', 'GET, PUT, PATCH, DELETE'],
      ['/schemagroups/g/schemas', 'GET, POST'],
      ['/schemagroups/g/schemas/s', 'GET, PUT, PATCH, POST, DELETE'],
      ['/schemagroups/g/schemas/s$details', 'GET, PUT, PATCH, POST, DELETE'],
      ['/schemagroups/g/schemas/s/meta', 'GET, PUT, PATCH'],
      ['/schemagroups/g/schemas/s/versions', 'GET'],
      ['/schemagroups/g/schemas/s/versions/1', 'GET, PUT, PATCH, DELETE'],
      ['/messagegroups/g/messages', 'GET, POST'],
      ['/messagegroups/g/messages/m', 'GET, PUT, PATCH, DELETE'],
    ];
    for (const [path, allow] of allowed) {
      const response = await call('TRACE', path);
      assert.equal(response.status, 405, path);
      assert.equal(response.headers.allow, allow, path);
    }
  });

  test('$details where nothing has a document is a 400 bad_details whatever the method; elsewhere an unknown path is a 404', async () => {
    for (const path of [
      '/model$details',
      '/nothing$details',
      '/schemagroups/g$details',
      '/schemagroups/g/schemas$details',
      '/schemagroups/g/schemas/s/meta$details',
      '/schemagroups/g/schemas/s/other$details',
      '/messagegroups/g/messages/m$details',
    ]) {
      const response = await call('TRACE', path);
      assert.equal(response.status, 400, path);
      assert.match(String((JSON.parse(response.body) as { type: unknown }).type), /#bad_details$/, path);
    }
    for (const path of [
      '/nothing',
      '/model/x',
      '/schemagroups/g/messages',
      '/schemagroups/g/schemas/s/other',
      '/messagegroups/g/schemas$details',
      '/schemagroups/g/schemas/s/meta/x$details',
    ]) {
      assert.equal((await call('GET', path)).status, 404, path);
    }
  });

  test('PATCH of a document without $details is the 405 details_required of its handler, not a missing route', async () => {
    for (const path of ['/schemagroups/g/schemas/s', '/schemagroups/g/schemas/s/versions/1']) {
      const response = await call('PATCH', path);
      assert.equal(response.status, 405);
      assert.match(String((JSON.parse(response.body) as { type: unknown }).type), /#details_required$/);
      assert.equal(response.headers.allow, undefined);
    }
  });
});
