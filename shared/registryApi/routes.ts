import { registryCapabilities, registryModel, XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import type { RouteContext } from './context.ts';
import { messageRoutes } from './messageRoutes.ts';
import { applyFilter, inlineOf } from './query.ts';
import type { ApiResponse } from './request.ts';
import { apiNotFound, fail, json, methodNotAllowed, noContent } from './responses.ts';
import { schemaRoutes } from './schemaRoutes.ts';

const GROUP_KINDS = new Set(['schemagroups', 'messagegroups']);
const READ_APIS: Readonly<Record<string, (context: RouteContext) => Promise<unknown> | unknown>> = {
  model: () => registryModel(),
  capabilities: () => registryCapabilities(),
  export: (context) => context.deps.service.export(),
};

/** Dispatches a request by its path: the registry root, its APIs, the group collections and below. */
async function route(context: RouteContext): Promise<ApiResponse> {
  const { request, deps, path, query } = context;
  const { service, publicUrl } = deps;
  const { method } = request;
  const [first, group, collection] = path.segments;
  if (path.details && (first === undefined || collection === undefined)) {
    return fail(XRegistryErrorType.badDetails, '"$details" applies to a schema or a version');
  }
  if (first === undefined) {
    if (method === 'GET') return json(200, await service.root(publicUrl, inlineOf(query)));
    if (method === 'PUT' || method === 'PATCH') {
      await service.putRoot(context.body(), method === 'PATCH');
      return json(200, await service.root(publicUrl, inlineOf(query)));
    }
    return methodNotAllowed(method, '/');
  }
  const readApi = path.segments.length === 1 && Object.hasOwn(READ_APIS, first) ? READ_APIS[first] : undefined;
  if (readApi !== undefined) return method === 'GET' ? json(200, await readApi(context)) : methodNotAllowed(method, `/${first}`);
  if (!GROUP_KINDS.has(first)) return apiNotFound(`/${path.segments.join('/')}`);
  const kind = first as 'schemagroups' | 'messagegroups';

  if (group === undefined) {
    if (method === 'GET') return json(200, applyFilter(await service.groups(kind, publicUrl, inlineOf(query)), query));
    if (method === 'POST') {
      const body = context.body();
      if (!isObject(body)) return fail(XRegistryErrorType.badRequest, `POST /${kind} takes a map of id to group`);
      for (const [id, entity] of Object.entries(body)) await service.putGroup(kind, id, entity, false);
      const groups = await Promise.all(Object.keys(body).map(async (id) => [id, await service.group(kind, id, publicUrl, new Set())] as const));
      return json(200, Object.fromEntries(groups));
    }
    return methodNotAllowed(method, `/${kind}`);
  }
  if (collection === undefined) {
    const groupPath = `/${kind}/${group}`;
    if (method === 'GET') return json(200, await service.group(kind, group, publicUrl, inlineOf(query)));
    if (method === 'PUT' || method === 'PATCH') {
      const result = await service.putGroup(kind, group, context.body(), method === 'PATCH');
      return json(result.created ? 201 : 200, await service.group(kind, group, publicUrl, new Set()), result.created ? context.location(groupPath) : {});
    }
    if (method === 'DELETE') {
      await service.deleteGroup(kind, group);
      return noContent();
    }
    return methodNotAllowed(method, groupPath);
  }
  return kind === 'messagegroups' ? messageRoutes(context, group) : schemaRoutes(context, group);
}

export { route };
