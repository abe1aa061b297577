import { type VersionInput, XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import type { RouteContext } from './context.ts';
import { applyFilter, inlineOf } from './query.ts';
import type { ApiResponse } from './request.ts';
import { documentResponse, fail, json, noContent } from './responses.ts';
import { ANY_METHOD, type Route, route } from './route.ts';
import { versionInputFromDetails, versionInputFromDocument } from './versionInputs.ts';

const SCHEMAS = '/schemagroups/:group/schemas';
const SCHEMA = `${SCHEMAS}/:schema`;

type SchemaParams = { readonly group: string; readonly schema: string };

function schemaPath({ group, schema }: SchemaParams): string {
  return `/schemagroups/${group}/schemas/${schema}`;
}

async function listSchemas(context: RouteContext, { group }: { readonly group: string }): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, applyFilter(await deps.service.schemas(group, deps.publicUrl, inlineOf(query)), query));
}

/** POST of a map of id to schema (each with `versions` and `meta`, as in a `$details` PUT). */
async function postSchemas(context: RouteContext, { group }: { readonly group: string }): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const body = context.body();
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'POST takes a map of id to schema');
  for (const [id, entity] of Object.entries(body)) {
    if (!isObject(entity)) fail(XRegistryErrorType.badRequest, `schema ${id} must be an object`);
    await service.putSchema(group, id, { attributes: {}, document: undefined }, entity);
  }
  return json(200, await service.schemas(group, publicUrl, new Set()));
}

/** A schema without `$details` is its default version's document. */
async function getSchemaDocument(context: RouteContext, { group, schema }: SchemaParams): Promise<ApiResponse> {
  const { view, document } = await context.deps.service.version(group, schema, undefined, context.deps.publicUrl);
  return documentResponse(view, document);
}

async function getSchemaDetails(context: RouteContext, { group, schema }: SchemaParams): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, await deps.service.schemaDetails(group, schema, deps.publicUrl, inlineOf(query)));
}

async function putSchemaDocument(context: RouteContext, params: SchemaParams): Promise<ApiResponse> {
  return storeSchema(context, params, versionInputFromDocument(context.request, context.body()), undefined);
}

/**
 * PUT or PATCH of a schema's `$details`: the body is either one new version's attributes and
 * document, or the whole schema with `versions` and/or `meta`.
 */
async function putSchemaDetails(context: RouteContext, params: SchemaParams): Promise<ApiResponse> {
  const body = context.body();
  const nested = isObject(body) && (body.versions !== undefined || body.meta !== undefined) ? body : undefined;
  return storeSchema(context, params, nested === undefined ? versionInputFromDetails(body) : { attributes: {}, document: undefined }, nested);
}

async function storeSchema(
  context: RouteContext,
  params: SchemaParams,
  input: VersionInput,
  nested: Record<string, unknown> | undefined,
): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const result = await service.putSchema(params.group, params.schema, input, nested);
  const body = await service.schemaDetails(params.group, params.schema, publicUrl, new Set());
  return json(result.created ? 201 : 200, body, result.created ? context.location(schemaPath(params)) : {});
}

function detailsRequired(_context: RouteContext, params: SchemaParams): never {
  return fail(XRegistryErrorType.detailsRequired, `PATCH ${schemaPath(params)} needs the $details suffix`);
}

/** POST to a schema adds a version; the answer is its metadata, its URL in Location and Content-Location. */
async function addVersion(context: RouteContext, params: SchemaParams, input: VersionInput): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const id = await service.postVersion(params.group, params.schema, input);
  const created = context.location(`${schemaPath(params)}/versions/${id}`);
  return json(201, (await service.version(params.group, params.schema, id, publicUrl)).view, { ...created, 'content-location': created.location! });
}

async function postVersionDocument(context: RouteContext, params: SchemaParams): Promise<ApiResponse> {
  return addVersion(context, params, versionInputFromDocument(context.request, context.body()));
}

async function postVersionDetails(context: RouteContext, params: SchemaParams): Promise<ApiResponse> {
  return addVersion(context, params, versionInputFromDetails(context.body()));
}

async function deleteSchema(context: RouteContext, { group, schema }: SchemaParams): Promise<ApiResponse> {
  await context.deps.service.deleteSchema(group, schema);
  return noContent();
}

async function getMeta(context: RouteContext, { group, schema }: SchemaParams): Promise<ApiResponse> {
  return json(200, await context.deps.service.meta(group, schema, context.deps.publicUrl));
}

async function putMeta(context: RouteContext, params: SchemaParams): Promise<ApiResponse> {
  await context.deps.service.putMeta(params.group, params.schema, context.body(), context.request.method === 'PATCH');
  return getMeta(context, params);
}

/** `/schemagroups/{g}/schemas[/{s}[/meta]]`: the schemas of a group, each schema, its meta. */
const SCHEMA_ROUTES: readonly Route[] = [
  route('GET', SCHEMAS, listSchemas),
  route('POST', SCHEMAS, postSchemas),
  route(ANY_METHOD, `${SCHEMAS}$details`, () => fail(XRegistryErrorType.badDetails, '"$details" applies to a schema or a version, not to a collection')),
  route('GET', SCHEMA, getSchemaDocument),
  route('GET', `${SCHEMA}$details`, getSchemaDetails),
  route('PUT', SCHEMA, putSchemaDocument),
  route('PUT', `${SCHEMA}$details`, putSchemaDetails),
  route('PATCH', SCHEMA, detailsRequired),
  route('PATCH', `${SCHEMA}$details`, putSchemaDetails),
  route('POST', SCHEMA, postVersionDocument),
  route('POST', `${SCHEMA}$details`, postVersionDetails),
  route('DELETE', SCHEMA, deleteSchema),
  route('DELETE', `${SCHEMA}$details`, deleteSchema),
  route('GET', `${SCHEMA}/meta`, getMeta),
  route('PUT', `${SCHEMA}/meta`, putMeta),
  route('PATCH', `${SCHEMA}/meta`, putMeta),
  // Below a schema only a version has a document; its meta, its versions and unknown names do not.
  route(ANY_METHOD, `${SCHEMA}/:sub$details`, (_context, { sub }) =>
    fail(XRegistryErrorType.badDetails, `"$details" applies to a schema or a version, not to its ${sub}`),
  ),
];

export { SCHEMA_ROUTES };
