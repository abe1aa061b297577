/** Where a schema version lives in the registry: `/schemagroups/<group>/schemas/<schema>[/versions/<version>]`. */
type SchemaReference = { readonly group: string; readonly schema: string; readonly version: string | undefined };

const SCHEMA_XID = /^\/schemagroups\/([^/]+)\/schemas\/([^/]+)(?:\/versions\/([^/]+))?$/;

/**
 * Reads `/schemagroups/g/schemas/s` (the default version) or `/schemagroups/g/schemas/s/versions/v`;
 * undefined for anything else. Callers decide what a bad reference means to them (a 400 in the
 * registry API, no route on the data path).
 */
function matchSchemaXid(xid: string): SchemaReference | undefined {
  const match = SCHEMA_XID.exec(xid);
  return match ? { group: match[1]!, schema: match[2]!, version: match[3] } : undefined;
}

function schemaXid(group: string, schema: string): string {
  return `/schemagroups/${group}/schemas/${schema}`;
}

function versionXid(group: string, schema: string, version: string): string {
  return `${schemaXid(group, schema)}/versions/${version}`;
}

export { matchSchemaXid, schemaXid, versionXid };
export type { SchemaReference };
