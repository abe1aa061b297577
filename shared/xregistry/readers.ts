import { canRead } from '../avro/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import type { SchemaReference } from '../names/index.ts';
import { parseSchemaXid } from './references.ts';
import * as store from './store.ts';
import type { RoutedMessageRow, SchemaVersionRow } from './types.ts';

/** A route (message definition) and the schema entity its `dataschemaxid` reads. */
type Reader = { readonly message: RoutedMessageRow; readonly reference: SchemaReference };

type Db = store.Db;

/**
 * The routes whose dataschemaxid points into `group` (and `schema`, when given). Catalogue
 * messages are not readers: the plane decodes nothing with what they name.
 */
async function readersOf(db: Db, group: string, schema?: string): Promise<Reader[]> {
  const readers: Reader[] = [];
  for (const message of await store.listRoutedMessages(db)) {
    let reference: SchemaReference;
    try {
      reference = parseSchemaXid(message.dataschemaxid);
    } catch {
      // A row edited by hand reads nothing the data path could find either.
      continue;
    }
    if (reference.group === group && (schema === undefined || reference.schema === schema)) readers.push({ message, reference });
  }
  return readers;
}

function messageXid(message: RoutedMessageRow): string {
  return `/messagegroups/${message.messagegroupid}/messages/${message.messageid}`;
}

/**
 * 409: `where` cannot change while these routes read it. The detail names each route (its message
 * and subject) and the problem document lists them as `routes`, so an operator or a script knows
 * what to repoint or delete first.
 */
function inUse(where: string, readers: readonly Reader[], why: string): XRegistryError {
  const routes = readers.map(({ message }) => ({ message: messageXid(message), subject: message.subject }));
  const named = routes.map((route) => `${route.message} (subject ${route.subject})`).join(', ');
  return new XRegistryError(
    XRegistryErrorType.conflict,
    `${where} ${why}; the route${routes.length === 1 ? '' : 's'} reading it: ${named}. Repoint or delete ${routes.length === 1 ? 'it' : 'them'} first`,
    { subject: where, extensions: { routes } },
  );
}

function wireFormatOf(message: RoutedMessageRow): string {
  return typeof message.ingestion.wireformat === 'string' ? message.ingestion.wireformat : 'raw';
}

/**
 * What `next` must read to take over as a route's reader from `current`: the data producers send
 * the route today. A raw payload carries no writer id and was written with the route's reader, so
 * that is `current`; a framed payload names its writer, so it is also any other version of the
 * schema that `current` reads now (which stays registered). Returns each problem, naming the
 * version whose data would no longer be read; [] when `next` reads all of it.
 */
function readerChangeProblems(current: SchemaVersionRow, next: SchemaVersionRow, versions: readonly SchemaVersionRow[], wireFormat: string): string[] {
  const writers = [current];
  if (wireFormat !== 'raw') {
    for (const version of versions) {
      if (version.versionid === current.versionid || version.versionid === next.versionid) continue;
      if (canRead(current.document, version.document).length === 0) writers.push(version);
    }
  }
  return writers.flatMap((writer) =>
    canRead(next.document, writer.document).map(
      (problem) => `version ${next.versionid} cannot read version ${writer.versionid} data: ${problem.path}: ${problem.message}`,
    ),
  );
}

/**
 * Refuses deleting a version a route still reads: one a route pins, or the default of a schema a
 * route reads (its "latest"), unless the version that would become the default (the newest one
 * left) reads everything producers send the route today. Deleting the only version deletes the
 * schema, so any route reading the schema refuses that.
 */
async function assertVersionDeletable(
  db: Db,
  target: SchemaVersionRow,
  versions: readonly SchemaVersionRow[],
  defaultVersionId: string,
  where: string,
): Promise<void> {
  const readers = await readersOf(db, target.schemagroupid, target.schemaid);
  const pinned = readers.filter((reader) => reader.reference.version === target.versionid);
  if (pinned.length > 0) throw inUse(where, pinned, 'is pinned as the reader schema');
  if (defaultVersionId !== target.versionid) return;
  const viaDefault = readers.filter((reader) => reader.reference.version === undefined);
  if (viaDefault.length === 0) return;
  const remaining = versions.filter((version) => version.versionid !== target.versionid);
  const next = remaining.at(-1);
  if (next === undefined) throw inUse(where, viaDefault, 'is the only version of a schema that routes read (deleting it deletes the schema)');
  const broken = viaDefault
    .map((reader) => ({ reader, problems: readerChangeProblems(target, next, remaining, wireFormatOf(reader.message)) }))
    .filter((item) => item.problems.length > 0);
  if (broken.length > 0) {
    const problems = [...new Set(broken.flatMap((item) => item.problems))].join('; ');
    throw inUse(
      where,
      broken.map((item) => item.reader),
      `is the default version; deleting it makes version ${next.versionid} the reader, which cannot read what producers send (${problems}). ` +
        `If producers have moved, set meta.defaultversionid first`,
    );
  }
}

/** Refuses deleting a schema (or, without `schema`, a whole group) that routes read. */
async function assertSchemaDeletable(db: Db, group: string, schema: string | undefined, where: string): Promise<void> {
  const readers = await readersOf(db, group, schema);
  if (readers.length > 0) throw inUse(where, readers, schema === undefined ? 'holds schemas that routes read' : 'is read by routes');
}

/**
 * Refuses replacing the document of a version of a schema routes read with one of another
 * parsing canonical form: the version's number and fingerprint are what framed payloads carry,
 * and a raw payload is decoded with the reader itself, so bytes producers already sent would be
 * decoded with the new structure. Edits that keep the form (doc strings, aliases, defaults) pass;
 * a new structure is a new version.
 */
async function assertVersionReplaceable(db: Db, existing: SchemaVersionRow, fingerprint: string | null, where: string): Promise<void> {
  if (existing.fingerprint === fingerprint) return;
  const readers = await readersOf(db, existing.schemagroupid, existing.schemaid);
  if (readers.length > 0) {
    throw inUse(
      where,
      readers,
      'would change structure (its fingerprint) while routes read its schema and producers may have sent data written with it; add a new version instead',
    );
  }
}

export { assertSchemaDeletable, assertVersionDeletable, assertVersionReplaceable, readerChangeProblems, readersOf };
export type { Reader };
