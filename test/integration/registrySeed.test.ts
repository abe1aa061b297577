import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { EXAMPLE_REGISTRY, MIGRATIONS_DIR } from '../../cli/paths.ts';
import { describeSeedOutcome, SeedFileError, seedRegistryFiles } from '../../infra/local/seedRegistry.ts';
import { createRegistryService, migrateRegistry } from '../../shared/xregistry/index.ts';
import { loadCliConfig, loadHttpSinkPolicy } from '../../shared/config/index.ts';
import { createSql, type Sql } from '../../shared/postgres/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { uniqueRunId } from '../helpers/names.ts';

const filters = { ingest: ['metrics.>'], deadLetter: ['deadletter.>'], httpSinks: loadHttpSinkPolicy({}) };
const V1 = 'metrics.cpu.usage.v1';
const V1_PATH = `/messagegroups/metrics/messages/${V1}`;

type Document = {
  messagegroups: {
    metrics: { messages: Record<string, Record<string, unknown> & { ingestion: Record<string, unknown>; protocoloptions: { subject: string } }> };
  };
};

/** The test server's URL for `database`, as createTestDatabase forms it. */
function databaseUrlFor(database: string): string {
  const url = new URL(loadCliConfig().databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function example(): Promise<Document> {
  return JSON.parse(await readFile(EXAMPLE_REGISTRY, 'utf8')) as Document;
}

describe('seeding the registry from infra/registry/*.xreg.json', () => {
  /** Each test's database and directories: removed together, in parallel, after the last test. */
  const cleanups: (() => Promise<void>)[] = [];
  let template: { name: string; drop: () => Promise<void> };

  before(async () => {
    // Migrated once; each test copies it (a file copy in PostgreSQL, far quicker than migrating).
    const name = `ingest_${uniqueRunId()}`;
    const database = await createTestDatabase(name);
    template = { name, drop: database.drop };
    const db = createSql(database.url, { max: 1, applicationName: 'ingest-test' });
    try {
      await migrateRegistry(db, MIGRATIONS_DIR);
    } finally {
      // A template must have no connections while it is copied.
      await db.end({ timeout: 5 });
    }
  });

  after(async () => {
    // Each cleanup runs even when another failed; the copies go before the template they copy.
    await Promise.all(cleanups.map((cleanup) => cleanup().catch(() => {})));
    await template?.drop();
  });

  /** A migrated registry database of the test's own, so no test depends on what another left. */
  async function freshRegistry(): Promise<Sql> {
    const name = `ingest_${uniqueRunId()}`;
    const admin = postgres(databaseUrlFor('postgres'), { max: 1, onnotice: () => {} });
    try {
      await admin`create database ${admin(name)} template ${admin(template.name)}`;
    } finally {
      await admin.end();
    }
    const db = createSql(databaseUrlFor(name), { max: 2, applicationName: 'ingest-test' });
    cleanups.push(async () => {
      await db.end({ timeout: 5 });
      const dropper = postgres(databaseUrlFor('postgres'), { max: 1, onnotice: () => {} });
      try {
        await dropper`drop database if exists ${dropper(name)} with (force)`;
      } finally {
        await dropper.end();
      }
    });
    return db;
  }

  async function registryDir(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-seed-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    return dir;
  }

  async function storedMessage(sql: Sql, id: string): Promise<{ description: string | null; ingestion: Record<string, unknown> } | undefined> {
    const [row] = await sql<{ description: string | null; ingestion: Record<string, unknown> }[]>`
      select description, ingestion from xr_messages where messagegroupid = 'metrics' and messageid = ${id}`;
    return row;
  }

  /** The example file seeded at a first start, then the v1 route edited by an operator. */
  async function seededThenEdited(sql: Sql): Promise<{ first: Awaited<ReturnType<typeof seedRegistryFiles>>; dir: string }> {
    const dir = await registryDir({ 'metrics.xreg.json': JSON.stringify(await example()) });
    const first = await seedRegistryFiles(sql, dir, filters);
    const edited = (await example()).messagegroups.metrics.messages[V1]!;
    edited.ingestion.deadlettersubject = 'deadletter.edited';
    edited.ingestion.retrybudget = 2;
    await createRegistryService(sql, filters).putMessage('metrics', V1, edited, false);
    return { first, dir };
  }

  test('imports a new file, then skips it while unchanged: an operator edit survives', async () => {
    // Prepare
    const sql = await freshRegistry();

    // Act: first start, an operator edit, second start.
    const { first, dir } = await seededThenEdited(sql);
    const second = await seedRegistryFiles(sql, dir, filters);

    // Assess
    assert.deepEqual(first.outcomes, [{ file: 'metrics.xreg.json', kind: 'imported', created: ['/schemagroups/metrics', '/messagegroups/metrics'] }]);
    assert.equal(second.outcomes[0]?.kind, 'unchanged');
    assert.match(describeSeedOutcome(second.outcomes[0]!, dir), /^metrics\.xreg\.json: skipped \(unchanged since it was seeded at \d{4}-/);
    assert.equal((await storedMessage(sql, V1))?.ingestion.deadlettersubject, 'deadletter.edited');
    assert.deepEqual(
      second.routes.map((route) => [route.subject, route.deadLetterSubject]),
      [[V1, 'deadletter.edited']],
      "the routes returned are the registry's, edits included",
    );
  });

  test('a changed file seeds only what is missing and keeps what exists, edits included', async () => {
    // Prepare: after a first start and an operator edit, the file grows a v2 route and changes the v1 description.
    const sql = await freshRegistry();
    const { dir } = await seededThenEdited(sql);
    const document = await example();
    const messages = document.messagegroups.metrics.messages;
    messages[V1]!.description = 'changed in the file';
    messages['metrics.cpu.usage.v2'] = structuredClone({ ...messages[V1]!, protocoloptions: { subject: 'metrics.cpu.usage.v2' } });
    await writeFile(join(dir, 'metrics.xreg.json'), JSON.stringify(document));

    // Act
    const seeded = await seedRegistryFiles(sql, dir, filters);
    const again = await seedRegistryFiles(sql, dir, filters);

    // Assess
    assert.deepEqual(seeded.outcomes, [
      {
        file: 'metrics.xreg.json',
        kind: 'partly-seeded',
        created: ['/messagegroups/metrics/messages/metrics.cpu.usage.v2'],
        kept: ['/schemagroups/metrics', V1_PATH],
        previously: 'changed',
      },
    ]);
    assert.match(
      describeSeedOutcome(seeded.outcomes[0]!, dir),
      /changed since it was seeded; partly seeded: created \/messagegroups\/metrics\/messages\/metrics\.cpu\.usage\.v2; kept as they are: .*npx ingest registry import/,
    );
    const v1 = await storedMessage(sql, V1);
    assert.equal(v1?.ingestion.deadlettersubject, 'deadletter.edited', 'the operator edit is still there');
    assert.notEqual(v1?.description, 'changed in the file', 'an existing entity is not overwritten from the file');
    assert.deepEqual(
      (await storedMessage(sql, 'metrics.cpu.usage.v2'))?.ingestion,
      messages['metrics.cpu.usage.v2']!.ingestion,
      'the new route exists as the file has it',
    );
    assert.equal(again.outcomes[0]?.kind, 'unchanged');
  });

  test('a file new to the database whose entities all exist is reported as present, changing nothing', async () => {
    // Prepare: after a first start and an operator edit, the same content under another name (as
    // after an upgrade from a launcher that kept no record).
    const sql = await freshRegistry();
    await seededThenEdited(sql);
    const dir = await registryDir({ 'copy.xreg.json': JSON.stringify(await example(), null, 4) });

    // Act
    const seeded = await seedRegistryFiles(sql, dir, filters);

    // Assess
    assert.deepEqual(seeded.outcomes, [
      { file: 'copy.xreg.json', kind: 'present', kept: ['/schemagroups/metrics', '/messagegroups/metrics'], previously: 'new' },
    ]);
    assert.equal((await storedMessage(sql, V1))?.ingestion.deadlettersubject, 'deadletter.edited');
  });

  test('a file that is not JSON is refused by name; files before it are seeded', async () => {
    // Prepare
    const sql = await freshRegistry();
    const dir = await registryDir({ 'a.xreg.json': JSON.stringify(await example()), 'b.xreg.json': '{"schemagroups": ' });

    // Act + Assess
    await assert.rejects(seedRegistryFiles(sql, dir, filters), (error: unknown) => {
      assert.ok(error instanceof SeedFileError);
      assert.equal(error.retryable, false);
      assert.equal(error.file, 'b.xreg.json');
      assert.match(error.message, /^registry file b\.xreg\.json: not valid JSON/);
      return true;
    });
    const [row] = await sql<{ file: string }[]>`select file from local_registry_seeds where file = 'a.xreg.json'`;
    assert.equal(row?.file, 'a.xreg.json');
  });

  test('an entity the registry refuses names the file and the entity, and is tried again at the next start', async () => {
    // Prepare: a registry seeded from the example file, then a file with a new route whose subject
    // is outside the ingest stream.
    const sql = await freshRegistry();
    await seededThenEdited(sql);
    const document = await example();
    const messages = document.messagegroups.metrics.messages;
    messages['outside.cpu.usage.v1'] = structuredClone({ ...messages[V1]!, protocoloptions: { subject: 'outside.cpu.usage.v1' } });
    const dir = await registryDir({ 'bad-route.xreg.json': JSON.stringify(document) });

    // Act + Assess
    await assert.rejects(
      seedRegistryFiles(sql, dir, filters),
      /^SeedFileError: registry file bad-route\.xreg\.json: \/messagegroups\/metrics\/messages\/outside\.cpu\.usage\.v1: .*outside\.cpu\.usage\.v1/,
    );
    const recorded = await sql`select 1 from local_registry_seeds where file = 'bad-route.xreg.json'`;
    assert.equal(recorded.length, 0, 'a file that failed is not recorded as seeded');

    // Act: the file is fixed.
    messages['outside.cpu.usage.v1']!.protocoloptions.subject = 'metrics.cpu.usage.v3';
    await writeFile(join(dir, 'bad-route.xreg.json'), JSON.stringify(document));
    const fixed = await seedRegistryFiles(sql, dir, filters);

    // Assess
    assert.equal(fixed.outcomes[0]?.kind, 'partly-seeded');
    assert.deepEqual((await storedMessage(sql, 'outside.cpu.usage.v1'))?.ingestion, messages['outside.cpu.usage.v1']!.ingestion);
  });
});
