import { isObject, type JsonObject } from '../json/index.ts';
import type { MessageSummary, RegistryView, SchemaSummary, VersionSummary } from './views.ts';

function objectAt(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** Versions oldest first: by numeric id where both have one, else by version id as a number, then as text. */
function byAge(a: VersionSummary, b: VersionSummary): number {
  return (a.numericId ?? 0) - (b.numericId ?? 0) || Number(a.versionId) - Number(b.versionId) || a.versionId.localeCompare(b.versionId);
}

function schemaSummary(schemaId: string, details: JsonObject): SchemaSummary {
  const meta = objectAt(details.meta);
  const versions = Object.entries(objectAt(details.versions)).map(([versionId, raw]): VersionSummary => {
    const version = objectAt(raw);
    return {
      versionId,
      isDefault: version.isdefault === true,
      createdAt: text(version.createdat),
      numericId: typeof version.numericid === 'number' ? version.numericid : null,
    };
  });
  return {
    schemaId,
    compatibility: text(meta.compatibility, 'none'),
    defaultVersionId: text(meta.defaultversionid),
    versions: versions.sort(byAge),
  };
}

function messageSummary(messageId: string, definition: JsonObject): MessageSummary {
  const subject = objectAt(definition.protocoloptions).subject;
  return {
    messageId,
    subject: typeof subject === 'string' ? subject : null,
    routed: definition.ingestion !== undefined && definition.ingestion !== null,
    definition,
  };
}

/**
 * The registry page's tree from the registry's own export (`GET /export`): every group, schema
 * and version (documents left out: the page asks for one version's text when it shows it), and
 * every message definition whole.
 */
function registryViewOf(exported: JsonObject): RegistryView {
  const schemaGroups = Object.entries(objectAt(exported.schemagroups)).map(([groupId, group]) => ({
    groupId,
    schemas: Object.entries(objectAt(objectAt(group).schemas)).map(([schemaId, details]) => schemaSummary(schemaId, objectAt(details))),
  }));
  const messageGroups = Object.entries(objectAt(exported.messagegroups)).map(([groupId, group]) => ({
    groupId,
    messages: Object.entries(objectAt(objectAt(group).messages)).map(([messageId, definition]) => messageSummary(messageId, objectAt(definition))),
  }));
  return { schemaGroups, messageGroups };
}

export { registryViewOf };
