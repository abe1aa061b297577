import { type VersionInput, XRegistryErrorType } from '../xregistry/index.ts';
import type { RouteContext } from './context.ts';
import { applyFilter, epochValue, inlineOf } from './query.ts';
import type { ApiResponse } from './request.ts';
import { documentResponse, fail, json, noContent } from './responses.ts';
import { type Route, route } from './route.ts';
import { patchedVersionInput, versionInputFromDetails, versionInputFromDocument } from './versionInputs.ts';

const VERSIONS = '/schemagroups/:group/schemas/:schema/versions';
const VERSION = `${VERSIONS}/:version`;

type VersionParams = { readonly group: string; readonly schema: string; readonly version: string };

function versionPath({ group, schema, version }: VersionParams): string {
  return `/schemagroups/${group}/schemas/${schema}/versions/${version}`;
}

async function listVersions(context: RouteContext, { group, schema }: { readonly group: string; readonly schema: string }): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, applyFilter(await deps.service.versions(group, schema, deps.publicUrl, inlineOf(query)), query));
}

/** A version without `$details` is its document, its attributes in xRegistry-* headers. */
async function getVersionDocument(context: RouteContext, { group, schema, version }: VersionParams): Promise<ApiResponse> {
  const { view, document } = await context.deps.service.version(group, schema, version, context.deps.publicUrl);
  return documentResponse(view, document);
}

/** A version's `$details`: its attributes, the document under `schema` only when inlined. */
async function getVersionDetails(context: RouteContext, { group, schema, version }: VersionParams): Promise<ApiResponse> {
  const { view, document } = await context.deps.service.version(group, schema, version, context.deps.publicUrl);
  const inline = inlineOf(context.query);
  return json(200, inline.has('*') || inline.has('schema') ? { ...view, schema: document } : view);
}

async function putVersionDocument(context: RouteContext, params: VersionParams): Promise<ApiResponse> {
  return storeVersion(context, params, versionInputFromDocument(context.request, context.body()));
}

async function putVersionDetails(context: RouteContext, params: VersionParams): Promise<ApiResponse> {
  return storeVersion(context, params, versionInputFromDetails(context.body()));
}

/** PATCH of a version's `$details` merges the body over what is stored. */
async function patchVersionDetails(context: RouteContext, params: VersionParams): Promise<ApiResponse> {
  const { group, schema, version } = params;
  return storeVersion(context, params, await patchedVersionInput(context.deps.service, group, schema, version, context.body()));
}

async function storeVersion(context: RouteContext, params: VersionParams, input: VersionInput): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const result = await service.putVersion(params.group, params.schema, params.version, input);
  const { view } = await service.version(params.group, params.schema, params.version, publicUrl);
  return json(result.created ? 201 : 200, view, result.created ? context.location(versionPath(params)) : {});
}

function detailsRequired(_context: RouteContext, params: VersionParams): never {
  return fail(XRegistryErrorType.detailsRequired, `PATCH ${versionPath(params)} needs the $details suffix`);
}

/** DELETE of a version; an `?epoch=` must be the version's current epoch. */
async function deleteVersion(context: RouteContext, { group, schema, version }: VersionParams): Promise<ApiResponse> {
  await context.deps.service.deleteVersion(group, schema, version, epochValue(context.query.get('epoch'), 'the epoch parameter'));
  return noContent();
}

/** `/schemagroups/{g}/schemas/{s}/versions[/{v}]`: a schema's versions, each one. */
const VERSION_ROUTES: readonly Route[] = [
  route('GET', VERSIONS, listVersions),
  route('GET', VERSION, getVersionDocument),
  route('GET', `${VERSION}$details`, getVersionDetails),
  route('PUT', VERSION, putVersionDocument),
  route('PUT', `${VERSION}$details`, putVersionDetails),
  route('PATCH', VERSION, detailsRequired),
  route('PATCH', `${VERSION}$details`, patchVersionDetails),
  route('DELETE', VERSION, deleteVersion),
  route('DELETE', `${VERSION}$details`, deleteVersion),
];

export { VERSION_ROUTES };
