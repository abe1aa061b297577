import { isDeepStrictEqual } from 'node:util';
import { isObject } from '../json/index.ts';

/**
 * What "an import exports unchanged" means, exactly. Every attribute a document gives comes back
 * with the same JSON value (object key order aside: PostgreSQL's jsonb does not keep it, and
 * JSON gives it no meaning). The export may add only what rc4 lets a server add:
 * - on every entity: `xid`, `self`, `shortself`, `epoch`, `createdat`, `modifiedat` and its own
 *   `<singular>id`; the counts and URLs of its collections, and a collection it lacks, empty;
 * - at the root: `specversion` and `registryid`;
 * - on a schema version: `isdefault`, `ancestorid`, and for an Avro version stored inline the
 *   plane's read-only `fingerprint`, `fingerprints` and `numericid` and the media type `application/json`;
 * - on a schema resource: the same, its `meta`, and any attribute of its default version (rc4
 *   serializes the default version's attributes at the resource level);
 * - on a meta entity: `defaultversionid`, `defaultversionurl`, `defaultversionsticky`,
 *   `readonly`, and `compatibility` "none" (this registry's word for no rule).
 * A document may lose only a root `$schema` (rc4: servers need not keep it).
 */

const ENTITY = ['xid', 'self', 'shortself', 'epoch', 'createdat', 'modifiedat'] as const;
const VERSION_SERVER = ['schemaid', 'versionid', 'isdefault', 'ancestorid', 'fingerprint', 'fingerprints', 'numericid'] as const;

type Level = 'root' | 'schemagroup' | 'messagegroup' | 'endpoint' | 'schema' | 'meta' | 'version' | 'message';

/** For each level: the server attributes it may add, and its collections with the level of their members. */
const LEVELS: Readonly<Record<Level, { readonly server: readonly string[]; readonly collections: Readonly<Record<string, Level>> }>> = {
  root: {
    server: ['specversion', 'registryid', 'schemagroupsurl', 'schemagroupscount', 'messagegroupsurl', 'messagegroupscount', 'endpointsurl', 'endpointscount'],
    collections: { schemagroups: 'schemagroup', messagegroups: 'messagegroup', endpoints: 'endpoint' },
  },
  schemagroup: { server: ['schemagroupid', 'schemasurl', 'schemascount'], collections: { schemas: 'schema' } },
  messagegroup: { server: ['messagegroupid', 'messagesurl', 'messagescount'], collections: { messages: 'message' } },
  endpoint: { server: ['endpointid'], collections: {} },
  schema: { server: [...VERSION_SERVER, 'meta', 'metaurl', 'versionsurl', 'versionscount'], collections: { versions: 'version' } },
  meta: { server: ['schemaid', 'readonly', 'defaultversionid', 'defaultversionurl', 'defaultversionsticky'], collections: {} },
  version: { server: VERSION_SERVER, collections: {} },
  message: { server: ['messageid'], collections: {} },
};

type Json = Record<string, unknown>;

function isAvroFormat(value: unknown): boolean {
  return typeof value === 'string' && /^avro\//i.test(value);
}

/** An attribute the export has and the document did not: allowed when a server may add it here. */
function addedProblem(level: Level, key: string, value: unknown, exported: Json, path: string): string | undefined {
  if ((ENTITY as readonly string[]).includes(key) || LEVELS[level].server.includes(key)) return undefined;
  if (key in LEVELS[level].collections && isObject(value) && Object.keys(value).length === 0) return undefined;
  // This registry states the absence of a rule as "none".
  if (level === 'meta' && key === 'compatibility' && value === 'none') return undefined;
  if ((level === 'version' || level === 'schema') && key === 'contenttype' && value === 'application/json' && isAvroFormat(exported.format)) return undefined;
  if (level === 'schema') {
    const meta = isObject(exported.meta) ? exported.meta : {};
    const versions = isObject(exported.versions) ? exported.versions : {};
    const current = typeof meta.defaultversionid === 'string' ? versions[meta.defaultversionid] : undefined;
    if (isObject(current) && isDeepStrictEqual(current[key], value)) return undefined;
  }
  return `${path}: the export adds "${key}" (${JSON.stringify(value)})`;
}

function compareEntity(level: Level, given: Json, exported: Json, path: string, problems: string[]): void {
  for (const [key, value] of Object.entries(given)) {
    if (level === 'root' && key === '$schema') continue;
    const where = `${path}/${key}`;
    if (!(key in exported)) {
      problems.push(`${where}: missing from the export`);
      continue;
    }
    const member = LEVELS[level].collections[key];
    if (member !== undefined && isObject(value) && isObject(exported[key])) {
      compareCollection(member, value, exported[key] as Json, where, problems);
    } else if (level === 'schema' && key === 'meta' && isObject(value) && isObject(exported[key])) {
      compareEntity('meta', value, exported[key] as Json, where, problems);
    } else if (!isDeepStrictEqual(value, exported[key])) {
      problems.push(`${where}: ${JSON.stringify(value)} was exported as ${JSON.stringify(exported[key])}`);
    }
  }
  for (const [key, value] of Object.entries(exported)) {
    if (key in given) continue;
    const problem = addedProblem(level, key, value, exported, path === '' ? '/' : path);
    if (problem !== undefined) problems.push(problem);
  }
}

function compareCollection(level: Level, given: Json, exported: Json, path: string, problems: string[]): void {
  for (const [id, entity] of Object.entries(given)) {
    const out = exported[id];
    if (!isObject(out)) problems.push(`${path}/${id}: missing from the export`);
    else if (isObject(entity)) compareEntity(level, entity, out, `${path}/${id}`, problems);
    else problems.push(`${path}/${id}: the document gives ${JSON.stringify(entity)}, not an entity`);
  }
  for (const id of Object.keys(exported)) {
    if (!(id in given)) problems.push(`${path}/${id}: in the export but not in the document`);
  }
}

/** Every way `exported` differs from the imported `document` beyond what a server may add; [] when unchanged. */
function exportDifferences(document: unknown, exported: unknown): string[] {
  if (!isObject(document) || !isObject(exported)) return ['both the document and the export must be JSON objects'];
  const problems: string[] = [];
  compareEntity('root', document, exported, '', problems);
  return problems;
}

export { exportDifferences };
