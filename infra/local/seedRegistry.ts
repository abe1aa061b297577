import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRegistryService } from '../../shared/xregistry/index.ts';
import type { Sql } from '../../shared/postgres/index.ts';
import { findRouteBySubject, type RouteRecord } from '../../shared/routes/index.ts';
import type { RegistryService, StreamFilters } from '../../shared/xregistry/index.ts';
import { errorMessage } from './probe.ts';
import { ensureSeedTable, recordSeed, seedRecords } from './registrySeeds.ts';
import { existingFromExport, planSeed, type SeedStep } from './seedPlan.ts';

/** What seeding did with one `*.xreg.json` file. */
type SeedOutcome =
  | { readonly file: string; readonly kind: 'imported'; readonly created: readonly string[] }
  | {
      readonly file: string;
      readonly kind: 'partly-seeded';
      readonly created: readonly string[];
      readonly kept: readonly string[];
      readonly previously: 'new' | 'changed';
    }
  /** New to this database or changed, but every entity it defines exists already. */
  | { readonly file: string; readonly kind: 'present'; readonly kept: readonly string[]; readonly previously: 'new' | 'changed' }
  | { readonly file: string; readonly kind: 'unchanged'; readonly seededAt: Date };

type SeedResult = {
  readonly outcomes: readonly SeedOutcome[];
  /** The routes of every subject the files name, as the registry holds them now (operator edits included). */
  readonly routes: readonly RouteRecord[];
};

/** A registry file that could not be seeded; entities it created before the failure stay, and the next start seeds the rest. */
class SeedFileError extends Error {
  readonly retryable = false;
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(`registry file ${file}: ${message}`, options);
    this.name = 'SeedFileError';
    this.file = file;
  }
}

/** An entity as the registry's own write operations create it, with their validation. */
async function applyStep(service: RegistryService, step: SeedStep): Promise<void> {
  const noDocument = { attributes: {}, document: undefined };
  switch (step.kind) {
    case 'schemagroup':
      await service.putGroup('schemagroups', step.group, step.body, false);
      return;
    case 'schema':
      await service.putSchema(step.group, step.schema, noDocument, step.body);
      return;
    case 'version':
      await service.putSchema(step.group, step.schema, noDocument, { versions: { [step.version]: step.body } });
      return;
    case 'messagegroup':
      await service.putGroup('messagegroups', step.group, step.body, false);
      return;
    case 'message':
      await service.putMessage(step.group, step.message, step.body, false);
      return;
    case 'endpoint':
      await service.putGroup('endpoints', step.group, step.body, false);
      return;
  }
}

/**
 * Seeds every `*.xreg.json` in `directory` (sorted by name) that is new to this database or changed
 * since it was seeded, creating only the entities the registry lacks; files seeded before and
 * unchanged are skipped. Each entity is created through the registry service, with its checks.
 */
async function seedRegistryFiles(sql: Sql, directory: string, filters: StreamFilters): Promise<SeedResult> {
  await ensureSeedTable(sql);
  const records = await seedRecords(sql);
  const service = createRegistryService(sql, filters);
  const outcomes: SeedOutcome[] = [];
  const subjects: string[] = [];
  const files = (await readdir(directory)).filter((name) => name.endsWith('.xreg.json')).sort();
  for (const file of files) {
    const raw = await readFile(join(directory, file));
    const sha256 = createHash('sha256').update(raw).digest('hex');
    let document: unknown;
    try {
      document = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new SeedFileError(file, `not valid JSON (${errorMessage(error)})`, { cause: error });
    }
    let plan;
    try {
      plan = planSeed(document, existingFromExport(await service.export()));
    } catch (error) {
      throw new SeedFileError(file, errorMessage(error), { cause: error });
    }
    subjects.push(...plan.subjects);
    const previous = records.get(file);
    if (previous !== undefined && previous.sha256 === sha256) {
      outcomes.push({ file, kind: 'unchanged', seededAt: previous.seededAt });
      continue;
    }
    const created: string[] = [];
    for (const step of plan.steps) {
      try {
        await applyStep(service, step);
      } catch (error) {
        const before = created.length > 0 ? ` (created before it: ${created.join(', ')})` : '';
        throw new SeedFileError(file, `${step.path}: ${errorMessage(error)}${before}`, { cause: error });
      }
      created.push(step.path);
    }
    await recordSeed(sql, file, sha256);
    const previously = previous === undefined ? 'new' : 'changed';
    if (plan.kept.length === 0) outcomes.push({ file, kind: 'imported', created });
    else if (created.length === 0) outcomes.push({ file, kind: 'present', kept: plan.kept, previously });
    else outcomes.push({ file, kind: 'partly-seeded', created, kept: plan.kept, previously });
  }
  const routes: RouteRecord[] = [];
  for (const subject of new Set(subjects)) {
    const route = await findRouteBySubject(sql, subject);
    if (route !== undefined) routes.push(route);
  }
  return { outcomes, routes };
}

/** One line per file for the launcher's output: what was done, and to what. */
function describeSeedOutcome(outcome: SeedOutcome, directory: string): string {
  const since = (previously: 'new' | 'changed'): string => (previously === 'new' ? 'new to this database' : 'changed since it was seeded');
  const reimport = `\`npx ingest registry import ${join(directory, outcome.file)}\` applies the whole file over them`;
  switch (outcome.kind) {
    case 'imported':
      return `${outcome.file}: imported (created ${outcome.created.join(', ')})`;
    case 'partly-seeded':
      return `${outcome.file}: ${since(outcome.previously)}; partly seeded: created ${outcome.created.join(', ')}; kept as they are: ${outcome.kept.join(', ')} (${reimport})`;
    case 'present':
      return `${outcome.file}: ${since(outcome.previously)}; skipped, every entity it defines exists: kept as they are: ${outcome.kept.join(', ')} (${reimport})`;
    case 'unchanged':
      return `${outcome.file}: skipped (unchanged since it was seeded at ${outcome.seededAt.toISOString()})`;
  }
}

export { describeSeedOutcome, SeedFileError, seedRegistryFiles };
export type { SeedOutcome, SeedResult };
