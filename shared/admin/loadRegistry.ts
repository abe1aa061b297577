import type { Sql } from '../postgres/index.ts';
import { subjectMatches } from '../nats/index.ts';
import { RegistryDocumentError, parseRegistryDocument, upsertRoutes, type RouteRecord } from '../registry/index.ts';
import { ensurePostgresTable } from '../sinks/index.ts';

type LoadRegistryOptions = {
  /** The dead-letter stream's subject filters; every route's dead-letter subject must fall inside. */
  readonly deadLetterFilters: readonly string[];
  /** The ingest stream's subject filters; every route's subject must fall inside. */
  readonly ingestFilters: readonly string[];
};

/**
 * Validates a registry document against the rules and against this deployment's streams, then
 * stores it and creates missing sink tables, all in one transaction: either every route is
 * accepted or none is.
 */
async function loadRegistry(sql: Sql, document: unknown, options: LoadRegistryOptions): Promise<RouteRecord[]> {
  const routes = parseRegistryDocument(document);
  const problems: string[] = [];
  for (const route of routes) {
    if (!options.ingestFilters.some((filter) => subjectMatches(filter, route.subject))) {
      problems.push(`${route.subject}: not captured by the ingest stream (${options.ingestFilters.join(', ')})`);
    }
    if (!options.deadLetterFilters.some((filter) => subjectMatches(filter, route.deadLetterSubject))) {
      problems.push(
        `${route.subject}: dead-letter subject ${route.deadLetterSubject} is not captured by the dead-letter stream (${options.deadLetterFilters.join(', ')})`,
      );
    }
  }
  if (problems.length > 0) throw new RegistryDocumentError(problems);
  await sql.begin(async (tx) => {
    await upsertRoutes(tx, routes);
    for (const route of routes) {
      if (route.sink.kind === 'postgres') await ensurePostgresTable(tx, route.sink.table);
    }
  });
  return routes;
}

export { loadRegistry };
export type { LoadRegistryOptions };
