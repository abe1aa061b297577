import type { SchemaVersionRow } from './types.ts';

// How the ccompat API shows a registry version: Confluent's field names, schema as a string.

/** A subject's version as Confluent's API shows it. */
type CcompatVersion = {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
  readonly schemaType?: string;
};

/** A version of a subject's schema that has a Confluent number, and whether it is soft-deleted. */
/** A subject's version: an Avro version (so it has a numeric id) whose xRegistry id is a plain number. */
type NumberedVersion = { readonly row: SchemaVersionRow & { readonly numericid: number }; readonly version: number; readonly deleted: boolean };

/** Confluent's `schemaType`: absent for Avro (its default), JSON or PROTOBUF, or the format itself. */
function schemaTypeOf(format: string): string | undefined {
  if (/^avro\//i.test(format)) return undefined;
  if (/^jsonschema\//i.test(format)) return 'JSON';
  if (/^protobuf\//i.test(format)) return 'PROTOBUF';
  return format;
}

/** The schema as Confluent carries it: a string (the Avro JSON, or a non-JSON document as stored). */
function schemaString(row: SchemaVersionRow): string {
  return schemaTypeOf(row.format) !== undefined && typeof row.document === 'string' ? row.document : JSON.stringify(row.document);
}

function view(subject: string, version: NumberedVersion): CcompatVersion {
  const schemaType = schemaTypeOf(version.row.format);
  return {
    subject,
    version: version.version,
    id: version.row.numericid,
    schema: schemaString(version.row),
    ...(schemaType === undefined ? {} : { schemaType }),
  };
}

export { schemaString, schemaTypeOf, view };
export type { CcompatVersion, NumberedVersion };
