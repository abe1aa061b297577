// `npx tsx scripts/xregistryRoundTrip.ts <file.xreg.json>...`: imports each registry document into
// a scratch database of its own on the configured PostgreSQL server (DATABASE_URL), exports it and
// prints whether the export is the document unchanged (shared/xregistry/roundTrip.ts says what
// may differ), else the error or every difference. Exit code 1 when any file fails. It checks
// documents that cannot be committed here, such as the xRegistry specification's samples.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliConfig, loadCliConfig } from '../shared/config/index.ts';
import { createSql } from '../shared/postgres/index.ts';
import { createRegistryService, exportDifferences, migrateRegistry } from '../shared/xregistry/index.ts';

const MIGRATIONS = fileURLToPath(new URL('../infra/migrations', import.meta.url));

function databaseUrl(server: string, database: string): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

async function roundTrip(config: CliConfig, file: string, index: number): Promise<{ problems: string[]; routed: number; catalogue: number }> {
  const server = config.databaseUrl;
  // A route must fall inside this deployment's streams (INGEST_SUBJECTS, DEADLETTER_SUBJECTS), as on import.
  const filters = { ingest: config.nats.ingest.subjects, deadLetter: config.nats.deadLetter.subjects };
  const document = JSON.parse(await readFile(file, 'utf8')) as unknown;
  const name = `xreg_roundtrip_${process.pid}_${index}`;
  const admin = createSql(databaseUrl(server, 'postgres'), { max: 1, applicationName: 'ingest-roundtrip' });
  await admin`create database ${admin(name)}`;
  const sql = createSql(databaseUrl(server, name), { max: 2, applicationName: 'ingest-roundtrip' });
  try {
    await migrateRegistry(sql, MIGRATIONS);
    const service = createRegistryService(sql, filters);
    await service.import(structuredClone(document));
    const exported = await service.export();
    const problems = exportDifferences(document, exported);
    const judged = await service.routing();
    const routed = judged.filter((entry) => entry.routing.routed).length;
    // The export must also be a fixed point: importing it again changes nothing.
    await service.import(structuredClone(exported));
    const again = await service.export();
    if (JSON.stringify(again) !== JSON.stringify(exported)) problems.push('importing the export again changes it');
    return { problems, routed, catalogue: judged.length - routed };
  } finally {
    await sql.end({ timeout: 5 });
    await admin`drop database if exists ${admin(name)} with (force)`;
    await admin.end({ timeout: 5 });
  }
}

const USAGE = `usage: npx tsx scripts/xregistryRoundTrip.ts <file.xreg.json>...

Imports each xRegistry document into a scratch database of its own (on DATABASE_URL's server),
exports it, and says whether the export is the document unchanged (else every difference), and
how many of its messages the plane routes. Exit code 1 when any file fails, 2 on bad usage.`;

async function main(files: readonly string[]): Promise<number> {
  if (files.includes('--help') || files.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = files.filter((file) => file.startsWith('-'));
  if (files.length === 0 || unknown.length > 0) {
    console.error(unknown.length > 0 ? `unknown option ${unknown.join(', ')}\n\n${USAGE}` : USAGE);
    return 2;
  }
  const config = loadCliConfig();
  let failed = 0;
  for (const [index, file] of files.entries()) {
    try {
      const { problems, routed, catalogue } = await roundTrip(config, file, index);
      if (problems.length === 0) console.log(`${basename(file)}\timported, exported unchanged (messages: ${routed} routed, ${catalogue} catalogue)`);
      else {
        failed += 1;
        console.log(`${basename(file)}\texported CHANGED (${problems.length}):\n  ${problems.slice(0, 20).join('\n  ')}`);
      }
    } catch (error) {
      failed += 1;
      console.log(`${basename(file)}\tREFUSED: ${(error as Error).message}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
