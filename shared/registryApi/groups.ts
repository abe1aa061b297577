import { XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import type { RouteContext } from './context.ts';
import { applyFilter, inlineOf } from './query.ts';
import type { ApiResponse } from './request.ts';
import { fail, json, noContent } from './responses.ts';
import { type Route, route } from './route.ts';

type GroupKind = 'schemagroups' | 'messagegroups' | 'endpoints';

async function listGroups(context: RouteContext, kind: GroupKind): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, applyFilter(await deps.service.groups(kind, deps.publicUrl, inlineOf(query)), query));
}

/** POST of a map of id to group: each is created or replaced; the answer shows the ones sent. */
async function postGroups(context: RouteContext, kind: GroupKind): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const body = context.body();
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, `POST /${kind} takes a map of id to group`);
  for (const [id, entity] of Object.entries(body)) await service.putGroup(kind, id, entity, false);
  const groups = await Promise.all(Object.keys(body).map(async (id) => [id, await service.group(kind, id, publicUrl, new Set())] as const));
  return json(200, Object.fromEntries(groups));
}

async function getGroup(context: RouteContext, kind: GroupKind, group: string): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, await deps.service.group(kind, group, deps.publicUrl, inlineOf(query)));
}

async function putGroup(context: RouteContext, kind: GroupKind, group: string): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const result = await service.putGroup(kind, group, context.body(), context.request.method === 'PATCH');
  const headers = result.created ? context.location(`/${kind}/${group}`) : {};
  return json(result.created ? 201 : 200, await service.group(kind, group, publicUrl, new Set()), headers);
}

async function deleteGroup(context: RouteContext, kind: GroupKind, group: string): Promise<ApiResponse> {
  await context.deps.service.deleteGroup(kind, group);
  return noContent();
}

/** The same routes for both kinds of group: `/{kind}` and `/{kind}/{group}`. */
function groupRoutes(kind: GroupKind): Route[] {
  return [
    route('GET', `/${kind}`, (context) => listGroups(context, kind)),
    route('POST', `/${kind}`, (context) => postGroups(context, kind)),
    route('GET', `/${kind}/:group`, (context, { group }) => getGroup(context, kind, group)),
    route('PUT', `/${kind}/:group`, (context, { group }) => putGroup(context, kind, group)),
    route('PATCH', `/${kind}/:group`, (context, { group }) => putGroup(context, kind, group)),
    route('DELETE', `/${kind}/:group`, (context, { group }) => deleteGroup(context, kind, group)),
  ];
}

const GROUP_ROUTES: readonly Route[] = [...groupRoutes('schemagroups'), ...groupRoutes('messagegroups'), ...groupRoutes('endpoints')];

export { GROUP_ROUTES };
