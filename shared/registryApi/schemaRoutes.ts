import { XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import type { RouteContext } from './context.ts';
import { applyFilter, epochValue, inlineOf } from './query.ts';
import type { ApiResponse } from './request.ts';
import { apiNotFound, documentResponse, fail, json, methodNotAllowed, noContent } from './responses.ts';
import { patchedVersionInput, versionInputFromDetails, versionInputFromDocument } from './versionInputs.ts';

/** `/schemagroups/{g}/schemas[...]`: schemas, their meta and versions. */
async function schemaRoutes(context: RouteContext, group: string): Promise<ApiResponse> {
  const { path } = context;
  const [, , collection, schema, sub, version, extra] = path.segments;
  if (collection !== 'schemas' || extra !== undefined) return apiNotFound(`/${path.segments.join('/')}`);
  if (schema === undefined) return schemaCollection(context, group);
  if (sub === undefined) return schemaResource(context, group, schema);
  if (path.details && version === undefined) return fail(XRegistryErrorType.badDetails, `"$details" applies to a schema or a version, not to its ${sub}`);
  if (sub === 'meta' && version === undefined) return schemaMeta(context, group, schema);
  if (sub !== 'versions') return apiNotFound(`/${path.segments.join('/')}`);
  if (version === undefined) {
    if (context.request.method === 'GET')
      return json(200, applyFilter(await context.deps.service.versions(group, schema, context.deps.publicUrl, inlineOf(context.query)), context.query));
    return methodNotAllowed(context.request.method, `/schemagroups/${group}/schemas/${schema}/versions`);
  }
  return schemaVersion(context, group, schema, version);
}

async function schemaCollection(context: RouteContext, group: string): Promise<ApiResponse> {
  const { request, deps, query, path } = context;
  if (path.details) return fail(XRegistryErrorType.badDetails, '"$details" applies to a schema or a version, not to a collection');
  if (request.method === 'GET') return json(200, applyFilter(await deps.service.schemas(group, deps.publicUrl, inlineOf(query)), query));
  if (request.method === 'POST') {
    const body = context.body();
    if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'POST takes a map of id to schema');
    for (const [id, entity] of Object.entries(body)) {
      if (!isObject(entity)) fail(XRegistryErrorType.badRequest, `schema ${id} must be an object`);
      await deps.service.putSchema(group, id, { attributes: {}, document: undefined }, entity);
    }
    return json(200, await deps.service.schemas(group, deps.publicUrl, new Set()));
  }
  return methodNotAllowed(request.method, `/schemagroups/${group}/schemas`);
}

async function schemaResource(context: RouteContext, group: string, schema: string): Promise<ApiResponse> {
  const { request, deps, path, query } = context;
  const { service, publicUrl } = deps;
  const { method } = request;
  const schemaPath = `/schemagroups/${group}/schemas/${schema}`;
  if (method === 'GET') {
    if (path.details) return json(200, await service.schemaDetails(group, schema, publicUrl, inlineOf(query)));
    const { view, document } = await service.version(group, schema, undefined, publicUrl);
    return documentResponse(view, document);
  }
  if (method === 'PUT' || method === 'PATCH') {
    if (method === 'PATCH' && !path.details) fail(XRegistryErrorType.detailsRequired, `PATCH ${schemaPath} needs the $details suffix`);
    const body = context.body();
    const nested = path.details && isObject(body) && (body.versions !== undefined || body.meta !== undefined) ? body : undefined;
    const input = path.details
      ? nested === undefined
        ? versionInputFromDetails(body)
        : { attributes: {}, document: undefined }
      : versionInputFromDocument(request, body);
    const result = await service.putSchema(group, schema, input, nested);
    return json(
      result.created ? 201 : 200,
      await service.schemaDetails(group, schema, publicUrl, new Set()),
      result.created ? context.location(schemaPath) : {},
    );
  }
  if (method === 'POST') {
    const body = context.body();
    const input = path.details ? versionInputFromDetails(body) : versionInputFromDocument(request, body);
    const id = await service.postVersion(group, schema, input);
    const created = context.location(`${schemaPath}/versions/${id}`);
    return json(201, (await service.version(group, schema, id, publicUrl)).view, { ...created, 'content-location': created.location! });
  }
  if (method === 'DELETE') {
    await service.deleteSchema(group, schema);
    return noContent();
  }
  return methodNotAllowed(method, schemaPath);
}

async function schemaMeta(context: RouteContext, group: string, schema: string): Promise<ApiResponse> {
  const { request, deps } = context;
  if (request.method === 'GET') return json(200, await deps.service.meta(group, schema, deps.publicUrl));
  if (request.method === 'PUT' || request.method === 'PATCH') {
    await deps.service.putMeta(group, schema, context.body(), request.method === 'PATCH');
    return json(200, await deps.service.meta(group, schema, deps.publicUrl));
  }
  return methodNotAllowed(request.method, `/schemagroups/${group}/schemas/${schema}/meta`);
}

async function schemaVersion(context: RouteContext, group: string, schema: string, version: string): Promise<ApiResponse> {
  const { request, deps, path, query } = context;
  const { service, publicUrl } = deps;
  const { method } = request;
  const versionPath = `/schemagroups/${group}/schemas/${schema}/versions/${version}`;
  if (method === 'GET') {
    const { view, document } = await service.version(group, schema, version, publicUrl);
    const inline = inlineOf(query);
    if (!path.details) return documentResponse(view, document);
    return json(200, inline.has('*') || inline.has('schema') ? { ...view, schema: document } : view);
  }
  if (method === 'PUT' || method === 'PATCH') {
    if (method === 'PATCH' && !path.details) fail(XRegistryErrorType.detailsRequired, `PATCH ${versionPath} needs the $details suffix`);
    const body = context.body();
    const input =
      method === 'PUT'
        ? path.details
          ? versionInputFromDetails(body)
          : versionInputFromDocument(request, body)
        : await patchedVersionInput(service, group, schema, version, body);
    const result = await service.putVersion(group, schema, version, input);
    return json(
      result.created ? 201 : 200,
      (await service.version(group, schema, version, publicUrl)).view,
      result.created ? context.location(versionPath) : {},
    );
  }
  if (method === 'DELETE') {
    await service.deleteVersion(group, schema, version, epochValue(query.get('epoch'), 'the epoch parameter'));
    return noContent();
  }
  return methodNotAllowed(method, versionPath);
}

export { schemaRoutes };
