// Which entities of a registry document a database lacks. Pure: the launcher seeds only those, so
// whatever an operator changed in the registry since (a route's sink, a schema's rule) stays as is.
import { isObject } from '../../shared/json/index.ts';

type JsonObject = Record<string, unknown>;

/** One entity to create, in an order that lets references resolve (schemas before messages, versions ascending). */
type SeedStep =
  | { readonly kind: 'schemagroup'; readonly path: string; readonly group: string; readonly body: JsonObject }
  | { readonly kind: 'schema'; readonly path: string; readonly group: string; readonly schema: string; readonly body: JsonObject }
  | { readonly kind: 'version'; readonly path: string; readonly group: string; readonly schema: string; readonly version: string; readonly body: unknown }
  | { readonly kind: 'messagegroup'; readonly path: string; readonly group: string; readonly body: JsonObject }
  | { readonly kind: 'message'; readonly path: string; readonly group: string; readonly message: string; readonly body: JsonObject }
  | { readonly kind: 'endpoint'; readonly path: string; readonly group: string; readonly body: JsonObject };

type SeedPlan = {
  readonly steps: readonly SeedStep[];
  /** Entities the document defines that exist already, each subtree named once by its top. */
  readonly kept: readonly string[];
  /** Every subject the document routes, whether seeded now or already there. */
  readonly subjects: readonly string[];
};

/** A document that is not shaped like a registry document: what is wrong, and where. */
class SeedDocumentError extends Error {
  readonly retryable = false;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SeedDocumentError';
  }
}

function objectAt(value: unknown, where: string): JsonObject {
  if (!isObject(value)) throw new SeedDocumentError(`${where} must be an object`);
  return value;
}

/** A nested collection (`schemas`, `versions`, `messages`): absent means none. */
function mapAt(parent: JsonObject, key: string, where: string): JsonObject {
  const value = parent[key];
  if (value === undefined) return {};
  if (!isObject(value)) throw new SeedDocumentError(`${where}: "${key}" must be a map of id to entity`);
  return value;
}

/** The subject a message routes; a catalogue message (no `ingestion`) routes none, whatever its options say. */
function subjectOf(message: JsonObject): string | undefined {
  if (!isObject(message.ingestion)) return undefined;
  const options = message.protocoloptions;
  return isObject(options) && typeof options.subject === 'string' ? options.subject : undefined;
}

/** What a registry export says exists: ids at every level, and which message routes each subject. */
type ExistingRegistry = {
  readonly schemagroups: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<string>>>;
  readonly messagegroups: ReadonlyMap<string, ReadonlySet<string>>;
  readonly subjects: ReadonlyMap<string, string>;
  /** Endpoint ids (catalogue: kept whole, never merged). */
  readonly endpoints: ReadonlySet<string>;
};

/** Reads the ids out of `RegistryService.export()` (the registry with everything inlined). */
function existingFromExport(exported: unknown): ExistingRegistry {
  const root = isObject(exported) ? exported : {};
  const schemagroups = new Map<string, Map<string, Set<string>>>();
  for (const [groupId, group] of Object.entries(isObject(root.schemagroups) ? root.schemagroups : {})) {
    const schemas = new Map<string, Set<string>>();
    const schemaMap = isObject(group) && isObject(group.schemas) ? group.schemas : {};
    for (const [schemaId, schema] of Object.entries(schemaMap)) {
      schemas.set(schemaId, new Set(Object.keys(isObject(schema) && isObject(schema.versions) ? schema.versions : {})));
    }
    schemagroups.set(groupId, schemas);
  }
  const messagegroups = new Map<string, Set<string>>();
  const subjects = new Map<string, string>();
  for (const [groupId, group] of Object.entries(isObject(root.messagegroups) ? root.messagegroups : {})) {
    const messageMap = isObject(group) && isObject(group.messages) ? group.messages : {};
    messagegroups.set(groupId, new Set(Object.keys(messageMap)));
    for (const [messageId, message] of Object.entries(messageMap)) {
      const subject = isObject(message) ? subjectOf(message) : undefined;
      if (subject !== undefined) subjects.set(subject, `/messagegroups/${groupId}/messages/${messageId}`);
    }
  }
  const endpoints = new Set(Object.keys(isObject(root.endpoints) ? root.endpoints : {}));
  return { schemagroups, messagegroups, subjects, endpoints };
}

function byVersionNumber([a]: [string, unknown], [b]: [string, unknown]): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}

/**
 * The steps that create what `document` defines and `existing` lacks. Existing entities are never
 * touched (not even a group's description), so an operator's edits survive; a message whose subject
 * another message already routes is kept out too, since a subject has one route.
 */
function planSeed(document: unknown, existing: ExistingRegistry): SeedPlan {
  const root = objectAt(document, 'the document');
  const steps: SeedStep[] = [];
  const kept: string[] = [];
  const subjects: string[] = [];

  const schemagroups = mapAt(root, 'schemagroups', 'the document');
  for (const [groupId, rawGroup] of Object.entries(schemagroups)) {
    const path = `/schemagroups/${groupId}`;
    const group = objectAt(rawGroup, path);
    const schemas = mapAt(group, 'schemas', path);
    const existingSchemas = existing.schemagroups.get(groupId);
    if (existingSchemas === undefined) {
      steps.push({ kind: 'schemagroup', path, group: groupId, body: group });
      continue;
    }
    const before = steps.length;
    const keptInside: string[] = [];
    for (const [schemaId, rawSchema] of Object.entries(schemas)) {
      const schemaPath = `${path}/schemas/${schemaId}`;
      const schema = objectAt(rawSchema, schemaPath);
      const existingVersions = existingSchemas.get(schemaId);
      if (existingVersions === undefined) {
        steps.push({ kind: 'schema', path: schemaPath, group: groupId, schema: schemaId, body: schema });
        continue;
      }
      const missing = Object.entries(mapAt(schema, 'versions', schemaPath)).filter(([versionId]) => !existingVersions.has(versionId));
      for (const [versionId, body] of missing.sort(byVersionNumber)) {
        steps.push({ kind: 'version', path: `${schemaPath}/versions/${versionId}`, group: groupId, schema: schemaId, version: versionId, body });
      }
      keptInside.push(schemaPath);
    }
    // A group the database has in full is named once; a partial one by the schemas it keeps.
    if (steps.length === before) kept.push(path);
    else kept.push(...keptInside);
  }

  const messagegroups = mapAt(root, 'messagegroups', 'the document');
  for (const [groupId, rawGroup] of Object.entries(messagegroups)) {
    const path = `/messagegroups/${groupId}`;
    const group = objectAt(rawGroup, path);
    const messages = mapAt(group, 'messages', path);
    for (const [messageId, rawMessage] of Object.entries(messages)) {
      const subject = subjectOf(objectAt(rawMessage, `${path}/messages/${messageId}`));
      if (subject !== undefined) subjects.push(subject);
    }
    const existingMessages = existing.messagegroups.get(groupId);
    if (existingMessages === undefined) {
      const taken = Object.values(messages)
        .map((message) => subjectOf(message as JsonObject))
        .filter((subject) => subject !== undefined && existing.subjects.has(subject));
      if (taken.length === 0) {
        steps.push({ kind: 'messagegroup', path, group: groupId, body: group });
        continue;
      }
      // The group's messages would take subjects that are routed elsewhere: create it empty, then each free message.
      const { messages: _messages, ...attributes } = group;
      steps.push({ kind: 'messagegroup', path, group: groupId, body: attributes });
    }
    const before = steps.length;
    const keptInside: string[] = [];
    for (const [messageId, rawMessage] of Object.entries(messages)) {
      const messagePath = `${path}/messages/${messageId}`;
      const message = rawMessage as JsonObject;
      const subject = subjectOf(message);
      const routedBy = subject === undefined ? undefined : existing.subjects.get(subject);
      if (existingMessages?.has(messageId) === true) keptInside.push(messagePath);
      else if (routedBy !== undefined) keptInside.push(`${messagePath} (not created: ${routedBy} routes ${subject})`);
      else steps.push({ kind: 'message', path: messagePath, group: groupId, message: messageId, body: message });
    }
    if (existingMessages !== undefined && steps.length === before) kept.push(path);
    else kept.push(...keptInside);
  }

  for (const [endpointId, rawEndpoint] of Object.entries(mapAt(root, 'endpoints', 'the document'))) {
    const path = `/endpoints/${endpointId}`;
    const endpoint = objectAt(rawEndpoint, path);
    if (existing.endpoints.has(endpointId)) kept.push(path);
    else steps.push({ kind: 'endpoint', path, group: endpointId, body: endpoint });
  }
  return { steps, kept, subjects };
}

export { existingFromExport, planSeed, SeedDocumentError };
export type { ExistingRegistry, SeedPlan, SeedStep };
