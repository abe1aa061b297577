import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../cli/paths.ts';
import { sampleEvent } from '../../shared/producer/index.ts';
import { createProducer } from '../../shared/producer/index.ts';
import { findRouteBySubject } from '../../shared/routes/index.ts';
import { waitFor } from '../helpers/names.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';
import { isProblem, type RawResponse, registryClient } from '../helpers/registryClient.ts';

const run = promisify(execFile);
const METRICS = '/schemagroups/metrics/schemas/cpu-usage';

type Field = { name: string; type: unknown; default?: unknown; doc?: string };

function loadSchema(fields: Field[]): Record<string, unknown> {
  return {
    type: 'record',
    name: 'Load',
    fields: [{ name: 'id', type: 'string' }, { name: 'time', type: { type: 'long', logicalType: 'timestamp-millis' } }, ...fields],
  };
}

const VALUE: Field = { name: 'value', type: 'double' };
const UNIT: Field = { name: 'unit', type: 'string' };

describe('the registry refuses changes that would break live routes (API under serverless-offline, and the CLI)', () => {
  let plane: TestPlane;
  let call: ReturnType<typeof registryClient>;
  let messageXid: string;

  before(async () => {
    plane = await createTestPlane();
    call = registryClient(plane.registryUrl, plane.registryToken);
    messageXid = `/messagegroups/metrics/messages/${plane.route.subject}`;
  });

  after(async () => {
    await plane?.close();
  });

  function assertInUse(response: RawResponse, routes: { message: string; subject: string }[], detail?: RegExp): void {
    assert.equal(response.status, 409, response.text);
    assert.ok(isProblem(response), response.text);
    assert.deepEqual(response.json.routes, routes);
    for (const route of routes) {
      assert.ok(String(response.json.detail).includes(route.message) && String(response.json.detail).includes(route.subject), String(response.json.detail));
    }
    if (detail !== undefined) assert.match(String(response.json.detail), detail);
  }

  function route(name: string, dataschemaxid: string): Record<string, unknown> {
    return {
      protocoloptions: { subject: `${plane.runId}.${name}.v1` },
      dataschemaxid,
      ingestion: { sink: { kind: 'postgres', table: `integrity_${name}` }, deadlettersubject: `${plane.runId}dlq.${name}.v1` },
    };
  }

  test('deleting the group, the schema or the only version a route reads is a 409 naming the route, and events still land', async () => {
    const example = [{ message: messageXid, subject: plane.route.subject }];
    assertInUse(await call('DELETE', '/schemagroups/metrics'), example, /holds schemas that routes read/);
    assertInUse(await call('DELETE', METRICS), example, /is read by routes/);
    assertInUse(await call('DELETE', `${METRICS}/versions/1`), example, /only version/);
    assert.equal((await call('GET', METRICS)).status, 200);
    assert.equal((await findRouteBySubject(plane.sql, plane.route.subject))?.schema.xid, `${METRICS}/versions/1`, 'the route still reads version 1');
    await createProducer(plane.js).publish(plane.route, sampleEvent(plane.route));
    await waitFor(
      'the event to land',
      () => plane.countRows(),
      (rows) => rows === 1,
    );
  });

  test('a version a route pins cannot be deleted; the others can', async () => {
    const schema = '/schemagroups/pins/schemas/load';
    assert.equal((await call('PUT', schema, { body: loadSchema([VALUE]) })).status, 201);
    assert.equal((await call('POST', schema, { body: loadSchema([VALUE, { name: 'zone', type: ['null', 'string'], default: null }]) })).status, 201);
    assert.equal((await call('PUT', '/messagegroups/pins/messages/pinned', { body: route('pinned', `${schema}/versions/1`) })).status, 201);
    assertInUse(
      await call('DELETE', `${schema}/versions/1`),
      [{ message: '/messagegroups/pins/messages/pinned', subject: `${plane.runId}.pinned.v1` }],
      /pinned/,
    );
    assert.equal((await call('DELETE', `${schema}/versions/2`)).status, 204, 'the default no route reads may go');
  });

  test('deleting the default version is refused when the version that would take over cannot read what producers send', async () => {
    const schema = '/schemagroups/evolve/schemas/load';
    assert.equal((await call('PUT', schema, { body: loadSchema([VALUE, UNIT]) })).status, 201);
    assert.equal((await call('PATCH', `${schema}/meta`, { body: { compatibility: 'backward' } })).status, 200);
    assert.equal((await call('PUT', '/messagegroups/evolve/messages/latest', { body: route('latest', schema) })).status, 201);
    // v2 drops "unit": it reads v1 data (backward), but v1 cannot read v2 data, which has no unit.
    assert.equal((await call('POST', schema, { body: loadSchema([VALUE]) })).status, 201);
    const reader = [{ message: '/messagegroups/evolve/messages/latest', subject: `${plane.runId}.latest.v1` }];
    assertInUse(await call('DELETE', `${schema}/versions/2`), reader, /version 1 cannot read version 2 data: .*unit/);
    assert.equal((await call('GET', schema)).headers['xregistry-versionid'], '2', 'the default did not move');
    // v3 adds an optional field; v2 reads v3 data, so v3 may go and v2 takes over again.
    assert.equal((await call('POST', schema, { body: loadSchema([VALUE, { name: 'zone', type: ['null', 'string'], default: null }]) })).status, 201);
    assert.equal((await call('DELETE', `${schema}/versions/3`)).status, 204);
    assert.equal((await call('GET', schema)).headers['xregistry-versionid'], '2');
  });

  test('a version routes read keeps its structure: doc edits pass, a new structure is refused, through PUT and through import', async () => {
    const version = '/schemagroups/evolve/schemas/load/versions/2';
    const reader = [{ message: '/messagegroups/evolve/messages/latest', subject: `${plane.runId}.latest.v1` }];
    const documented = loadSchema([{ ...VALUE, doc: 'load average' }]);
    assert.equal((await call('PUT', version, { body: documented })).status, 200, 'a doc string does not change the canonical form');
    // Compatible with version 1, so only the structure change itself stands in the way.
    const restructured = loadSchema([VALUE, { name: 'rack', type: ['null', 'string'], default: null }]);
    assertInUse(await call('PUT', version, { body: restructured }), reader, /fingerprint/);
    const importing = { schemagroups: { evolve: { schemas: { load: { versions: { '2': { schema: restructured } } } } } } };
    assertInUse(await call('PUT', '/', { body: importing }), reader, /fingerprint/);
    assert.deepEqual((await call('GET', version)).json, documented);
  });

  test('once its routes are gone a schema group can be deleted', async () => {
    assert.equal((await call('DELETE', '/messagegroups/pins/messages/pinned')).status, 204);
    assert.equal((await call('DELETE', '/schemagroups/pins')).status, 204);
    assert.equal((await call('GET', '/schemagroups/pins')).status, 404);
  });

  test('ingest registry delete applies the same rule and names the route', async () => {
    const cli = await run(process.execPath, [join(ROOT, 'bin/ingest.mjs'), 'registry', 'delete', '/schemagroups/metrics'], { env: plane.env }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    assert.equal(cli.code, 1, cli.stdout);
    assert.match(cli.stdout, /"status": 409/);
    assert.ok(cli.stdout.includes(plane.route.subject), cli.stdout);
    assert.equal((await call('GET', '/schemagroups/metrics')).status, 200);
  });
});
