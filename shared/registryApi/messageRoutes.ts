import { XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import type { RouteContext } from './context.ts';
import { applyFilter } from './query.ts';
import type { ApiResponse } from './request.ts';
import { apiNotFound, fail, json, methodNotAllowed, noContent } from './responses.ts';

/** `/messagegroups/{g}/messages[/{m}]`: message definitions, i.e. routes. */
async function messageRoutes(context: RouteContext, group: string): Promise<ApiResponse> {
  const { request, deps, path, query } = context;
  const { service, publicUrl } = deps;
  const [, , collection, message, extra] = path.segments;
  if (collection !== 'messages' || extra !== undefined) return apiNotFound(`/${path.segments.join('/')}`);
  if (path.details) return fail(XRegistryErrorType.badDetails, 'message definitions have no document, so "$details" does not apply');
  const { method } = request;
  if (message === undefined) {
    if (method === 'GET') return json(200, applyFilter(await service.messages(group, publicUrl), query));
    if (method === 'POST') {
      const body = context.body();
      if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'POST takes a map of id to message');
      for (const [id, entity] of Object.entries(body)) await service.putMessage(group, id, entity, false);
      return json(200, await service.messages(group, publicUrl));
    }
    return methodNotAllowed(method, `/messagegroups/${group}/messages`);
  }
  const messagePath = `/messagegroups/${group}/messages/${message}`;
  if (method === 'GET') return json(200, await service.message(group, message, publicUrl));
  if (method === 'PUT' || method === 'PATCH') {
    const result = await service.putMessage(group, message, context.body(), method === 'PATCH');
    return json(result.created ? 201 : 200, await service.message(group, message, publicUrl), result.created ? context.location(messagePath) : {});
  }
  if (method === 'DELETE') {
    await service.deleteMessage(group, message);
    return noContent();
  }
  return methodNotAllowed(method, messagePath);
}

export { messageRoutes };
