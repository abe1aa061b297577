import { isObject } from '../json/index.ts';
import { CcompatCode, CcompatError } from '../xregistry/index.ts';
import { readJsonBody } from './body.ts';
import type { ApiRequest } from './request.ts';

/**
 * The request body as JSON. Confluent clients send `application/vnd.schemaregistry.v1+json`
 * (a `+json` type, accepted as such) and some send none or `application/octet-stream`; those
 * two are read as JSON too, as Confluent's server does. Size, depth and syntax are checked as
 * for the xRegistry API.
 */
function readCcompatBody(request: ApiRequest): unknown {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const lenient = type === '' || type === 'application/octet-stream';
  return readJsonBody(lenient ? { ...request, headers: { ...request.headers, 'content-type': 'application/json' } } : request);
}

function invalidSchema(message: string): never {
  throw new CcompatError(CcompatCode.invalidSchema, message);
}

/**
 * The Avro document of a register, lookup or compatibility body `{schema, schemaType?,
 * references?}`: `schema` is the schema as a JSON string. Other schema types and references
 * are refused (42201): this registry stores self-contained Avro schemas. Other members
 * (`metadata`, `ruleSet`) are ignored, as a server without those features does.
 */
function schemaOfBody(body: unknown): unknown {
  if (!isObject(body)) return invalidSchema('the body must be a JSON object {"schema": "<the Avro schema as a string>"}');
  const { schema, schemaType, references } = body;
  if (typeof schema !== 'string' || schema.trim() === '') return invalidSchema('"schema" must be the schema as a non-empty string');
  if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
    return invalidSchema(`schemaType ${JSON.stringify(schemaType)} is not supported: this registry stores AVRO schemas`);
  }
  if (references !== undefined && references !== null && !(Array.isArray(references) && references.length === 0)) {
    return invalidSchema('schema references are not supported: send the schema with every named type it uses defined inline');
  }
  try {
    return JSON.parse(schema) as unknown;
  } catch (error) {
    return invalidSchema(`"schema" is not JSON: ${(error as Error).message}`);
  }
}

/** The level of a `PUT /config` body `{compatibility}` (not yet checked as a level). */
function levelOfBody(body: unknown): unknown {
  if (!isObject(body) || body.compatibility === undefined) {
    throw new CcompatError(CcompatCode.invalidCompatibilityLevel, 'the body must be {"compatibility": "<level>"}');
  }
  return body.compatibility;
}

/** A `?name=true` flag; any other value, or none, is false (Confluent's boolean parameters). */
function flag(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

/** A schema id from the path: 1 … 2^31-1, or 40403 (no schema can have it). */
function schemaIdOf(raw: string): number {
  const id = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(id >= 1 && id <= 2_147_483_647)) throw new CcompatError(CcompatCode.schemaNotFound, `schema ${raw} not found: ids are numbers from 1`);
  return id;
}

export { flag, levelOfBody, readCcompatBody, schemaIdOf, schemaOfBody };
