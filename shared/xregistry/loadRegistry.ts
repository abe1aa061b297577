import type { Sql } from '../postgres/index.ts';
import { findRouteBySubject, type RouteRecord } from '../routes/index.ts';
import { ensurePostgresTable } from '../sinks/index.ts';
import { RegistryService } from './service.ts';
import type { StreamFilters } from './messages.ts';
import { isObject } from '../json/index.ts';

/** The registry service with this deployment's sinks: storing a message creates its table. */
function createRegistryService(sql: Sql, filters: StreamFilters): RegistryService {
  return new RegistryService({ sql, filters, provisionSink: (db, sink) => ensurePostgresTable(db, sink) });
}

function subjectsOf(document: unknown): string[] {
  const subjects: string[] = [];
  const groups = isObject(document) && isObject(document.messagegroups) ? Object.values(document.messagegroups) : [];
  for (const group of groups) {
    const messages = isObject(group) && isObject(group.messages) ? Object.values(group.messages) : [];
    for (const message of messages) {
      if (isObject(message) && isObject(message.protocoloptions) && typeof message.protocoloptions.subject === 'string') {
        subjects.push(message.protocoloptions.subject);
      }
    }
  }
  return subjects;
}

/**
 * Imports a registry document (an export, or a `.xreg.json` written by hand) in one transaction,
 * creating missing sink tables, and returns the routes it defines.
 */
async function loadRegistry(sql: Sql, document: unknown, filters: StreamFilters): Promise<RouteRecord[]> {
  await createRegistryService(sql, filters).import(document);
  const routes: RouteRecord[] = [];
  for (const subject of subjectsOf(document)) {
    const route = await findRouteBySubject(sql, subject);
    if (route !== undefined) routes.push(route);
  }
  return routes;
}

export { createRegistryService, loadRegistry };
