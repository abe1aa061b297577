import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { CANONICAL_VARIANT_NAMES, variantFingerprints } from '../../shared/avro/index.ts';
import { migrateRegistry } from '../../shared/xregistry/index.ts';
import { runIngest } from '../helpers/ingestCli.ts';
import { createTestPlane, type TestPlane } from '../helpers/plane.ts';

// biome-ignore lint/suspicious/noExplicitAny: the test walks the registry's JSON answers by path and asserts on every value it reads.
type Json = Record<string, any>;

const SCHEMA = '/schemagroups/metrics/schemas/cpu-usage';

/** A record whose nested enum has no namespace of its own: goavro leaves its name short. */
function reading(enumNamespace?: string): Json {
  const level: Json = { type: 'enum', name: 'Level', symbols: ['LOW', 'HIGH'] };
  if (enumNamespace !== undefined) level.namespace = enumNamespace;
  return { type: 'record', name: 'Reading', namespace: 'com.example', fields: [{ name: 'level', type: level }] };
}

describe('canonical-form variant fingerprints in the registry (serverless-offline, PostgreSQL)', () => {
  let plane: TestPlane;

  async function call(method: string, path: string, body?: unknown) {
    const response = await fetch(`${plane.registryUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${plane.registryToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: (text === '' ? undefined : JSON.parse(text)) as Json };
  }

  before(async () => {
    plane = await createTestPlane();
  });

  after(async () => {
    await plane?.close();
  });

  test('GET …/versions/{v} shows every variant; `fingerprint` stays the specification’s; the model declares `fingerprints`', async () => {
    const document = await call('GET', `${SCHEMA}/versions/1`);
    const expected = variantFingerprints(document.json);
    assert.deepEqual(Object.keys(expected), CANONICAL_VARIANT_NAMES);

    const details = await call('GET', `${SCHEMA}/versions/1$details`);

    assert.deepEqual(details.json.fingerprints, expected);
    assert.equal(details.json.fingerprint, expected.spec);
    assert.notEqual(expected.python, expected.spec, 'the example schema has a logical type, so Python’s form differs');
    for (const variant of CANONICAL_VARIANT_NAMES) assert.equal(document.headers.get(`xregistry-fingerprints-${variant}`), expected[variant]);
    const model = await call('GET', '/model');
    const attribute = model.json.groups.schemagroups.resources.schemas.attributes.fingerprints;
    assert.deepEqual([attribute.type, attribute.readonly, attribute.item.type], ['map', true, 'string']);
  });

  test('a version whose goavro fingerprint equals another version’s spec fingerprint is refused (409), naming both', async () => {
    const path = '/schemagroups/metrics/schemas/reading';
    // v1: the enum inherits com.example (spec: com.example.Level; goavro writes it short: Level).
    assert.equal((await call('PUT', `${path}/versions/1`, reading())).status, 201);
    const v1 = variantFingerprints(reading());
    // v2 declares the enum in the null namespace: its spec form is v1's goavro form, a different structure.
    const v2 = variantFingerprints(reading(''));
    assert.equal(v2.spec, v1.goavro);
    assert.notEqual(v2.spec, v1.spec);

    const refused = await call('POST', path, reading(''));

    assert.equal(refused.status, 409, JSON.stringify(refused.json));
    assert.match(refused.json.detail, new RegExp(`fingerprint ${v1.goavro} equals the goavro fingerprint of version 1`));
    assert.equal((await call('GET', `${path}/versions/2`)).status, 404, 'nothing was stored');
  });

  test('a new version with the same structure (only docs change) shares every fingerprint and is accepted', async () => {
    const path = '/schemagroups/metrics/schemas/reading-docs';
    assert.equal((await call('PUT', `${path}/versions/1`, reading())).status, 201);

    const created = await call('POST', path, { ...reading(), doc: 'the same structure, described' });

    assert.equal(created.status, 201, JSON.stringify(created.json));
    const [one, two] = [await call('GET', `${path}/versions/1$details`), await call('GET', `${path}/versions/2$details`)];
    assert.deepEqual(one.json.fingerprints, two.json.fingerprints);
  });

  test('the migration step fills the variants of versions stored before they existed, once', async () => {
    const [version] = await plane.sql<{ numericid: number }[]>`
      select numericid from xr_schema_versions where schemaid = 'cpu-usage' and versionid = '1'`;
    const before = await plane.sql`select variant, fingerprint from xr_schema_fingerprints where numericid = ${version!.numericid} order by variant`;
    await plane.sql`delete from xr_schema_fingerprints where numericid = ${version!.numericid}`;

    const applied = await migrateRegistry(plane.sql, MIGRATIONS_DIR);
    const again = await migrateRegistry(plane.sql, MIGRATIONS_DIR);

    assert.deepEqual(applied, ['variant fingerprints of 1 version(s)']);
    assert.deepEqual(again, []);
    const after = await plane.sql`select variant, fingerprint from xr_schema_fingerprints where numericid = ${version!.numericid} order by variant`;
    assert.deepEqual(after, before);
    assert.equal(after.length, CANONICAL_VARIANT_NAMES.length);
  });

  test('ingest registry fingerprints prints every variant of each version, with who writes it; --json the same as JSON', async () => {
    const expected = variantFingerprints((await call('GET', `${SCHEMA}/versions/1`)).json);
    const numericid = (await call('GET', `${SCHEMA}/versions/1$details`)).json.numericid;

    const text = await runIngest(['registry', 'fingerprints', SCHEMA], plane.env);
    const json = await runIngest(['registry', 'fingerprints', `${SCHEMA}/versions/1`, '--json'], plane.env);

    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'version\tnumericid\tvariant\tfingerprint\twritten by');
    assert.deepEqual(
      lines.slice(1).map((line) => line.split('\t').slice(0, 4)),
      CANONICAL_VARIANT_NAMES.map((variant) => ['1', String(numericid), variant, expected[variant]]),
    );
    assert.match(lines.find((line) => line.includes('\tgoavro\t'))!, /goavro 2\.x/);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [{ version: '1', numericid, fingerprints: expected }]);
  });

  test('ingest registry fingerprints: a path that is no schema is a usage error (2), an unknown one not found (1)', async () => {
    const bad = await runIngest(['registry', 'fingerprints', '/messagegroups/metrics'], plane.env);
    const missing = await runIngest(['registry', 'fingerprints', '/schemagroups/metrics/schemas/nope'], plane.env);
    const help = await runIngest(['registry', 'fingerprints', '--help'], plane.env);

    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /<path> must be \/schemagroups\/<group>\/schemas\/<schema> or \.\.\.\/versions\/<version>, got "\/messagegroups\/metrics"/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(missing.code, 1, missing.stderr);
    assert.equal(missing.stdout, 'not found: /schemagroups/metrics/schemas/nope\n');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: ingest registry fingerprints <path> \[--json\]/);
  });
});
