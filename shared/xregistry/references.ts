import { XRegistryError, XRegistryErrorType } from './errors.ts';

type SchemaReference = { readonly group: string; readonly schema: string; readonly version: string | undefined };

const SCHEMA_XID = /^\/schemagroups\/([^/]+)\/schemas\/([^/]+)(?:\/versions\/([^/]+))?$/;

/** Parses `/schemagroups/g/schemas/s` (the default version) or `/schemagroups/g/schemas/s/versions/v`. */
function parseSchemaXid(xid: string): SchemaReference {
  const match = SCHEMA_XID.exec(xid);
  if (!match) {
    throw new XRegistryError(
      XRegistryErrorType.invalidData,
      `dataschemaxid "${xid}" must be /schemagroups/<group>/schemas/<schema>[/versions/<version>]`,
    );
  }
  return { group: match[1]!, schema: match[2]!, version: match[3] };
}

function schemaXid(group: string, schema: string): string {
  return `/schemagroups/${group}/schemas/${schema}`;
}

function versionXid(group: string, schema: string, version: string): string {
  return `${schemaXid(group, schema)}/versions/${version}`;
}

export { parseSchemaXid, schemaXid, versionXid };
export type { SchemaReference };
