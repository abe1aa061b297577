import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MIGRATIONS_DIR } from '../../cli/paths.ts';
import { createRegistryService, migrateRegistry } from '../../shared/xregistry/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { type RegistryService, XRegistryError } from '../../shared/xregistry/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

const GROUP = 'rules';
const SCHEMA = 'reading';

function avroVersion(fields: readonly Record<string, unknown>[]): Record<string, unknown> {
  return { format: 'Avro/1.12', schema: { type: 'record', name: 'Reading', namespace: 'com.example.rules', fields } };
}

/**
 * Version 2 adds a field without a default: a v2 reader cannot read what v1 producers wrote
 * (breaks backward), while a v1 reader skips the new field in v2 data (forward holds).
 */
const VERSIONS = {
  '1': avroVersion([
    { name: 'id', type: 'string' },
    { name: 'value', type: 'double' },
  ]),
  '2': avroVersion([
    { name: 'id', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'zone', type: 'string' },
  ]),
};

describe('a compatibility rule the stored versions would break is refused (registry service, real PostgreSQL)', () => {
  const runId = uniqueRunId();
  let sql: Sql;
  let drop: (() => Promise<void>) | undefined;
  let service: RegistryService;

  before(async () => {
    const database = await createTestDatabase(`ingest_${runId}`);
    drop = database.drop;
    sql = createSql(database.url, { max: 2, applicationName: 'ingest-test' });
    await migrateRegistry(sql, MIGRATIONS_DIR);
    service = createRegistryService(sql, { ingest: [`${runId}.>`], deadLetter: [`${runId}dlq.>`] });
    await service.putGroup('schemagroups', GROUP, { schemas: { [SCHEMA]: { versions: VERSIONS, meta: { compatibility: 'none' } } } }, false);
  });

  after(async () => {
    await sql?.end({ timeout: 5 }).catch(() => {});
    await drop?.();
  });

  async function meta(): Promise<{ compatibility: unknown; epoch: unknown }> {
    const view = await service.meta(GROUP, SCHEMA, '');
    return { compatibility: view.compatibility, epoch: view.epoch };
  }

  test('switching to a rule version 2 violates is refused with compatibility_violation naming the version and the field; the rule stays as it was', async () => {
    const before = await meta();
    assert.equal(before.compatibility, 'none');
    for (const [compatibility, patch] of [
      ['backward', true],
      ['full', true],
      ['backward_transitive', true],
      ['backward', false],
    ] as const) {
      const refused = await service.putMeta(GROUP, SCHEMA, { compatibility }, patch).then(
        () => assert.fail(`compatibility "${compatibility}" was accepted over versions that break it`),
        (error: unknown) => error,
      );
      assert.ok(refused instanceof XRegistryError, String(refused));
      assert.equal(refused.code, 'compatibility_violation', refused.message);
      assert.equal(refused.status, 400);
      assert.match(refused.message, new RegExp(`/schemagroups/${GROUP}/schemas/${SCHEMA}/meta: version 2 breaks "${compatibility}" compatibility: .*zone`));
      assert.deepEqual(await meta(), before, `after "${compatibility}": unchanged, epoch included`);
    }
  });

  test('a rule the versions satisfy is accepted, so the refusal is about the versions and not the request', async () => {
    const before = await meta();
    await service.putMeta(GROUP, SCHEMA, { compatibility: 'forward' }, true);
    const after = await meta();
    assert.equal(after.compatibility, 'forward');
    assert.equal(after.epoch, Number(before.epoch) + 1);
    await service.putMeta(GROUP, SCHEMA, { compatibility: 'none' }, true);
    assert.equal((await meta()).compatibility, 'none');
  });
});
