import { XRegistryErrorType } from '../xregistry/index.ts';
import { isObject } from '../json/index.ts';
import type { RouteContext } from './context.ts';
import { applyFilter } from './query.ts';
import type { ApiResponse } from './request.ts';
import { fail, json, noContent } from './responses.ts';
import { ANY_METHOD, type Route, route } from './route.ts';

const MESSAGES = '/messagegroups/:group/messages';
const MESSAGE = `${MESSAGES}/:message`;

type MessageParams = { readonly group: string; readonly message: string };

async function listMessages(context: RouteContext, { group }: { readonly group: string }): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, applyFilter(await deps.service.messages(group, deps.publicUrl), query));
}

/** POST of a map of id to message: each is created or replaced; the answer is the whole collection. */
async function postMessages(context: RouteContext, { group }: { readonly group: string }): Promise<ApiResponse> {
  const { service, publicUrl } = context.deps;
  const body = context.body();
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'POST takes a map of id to message');
  for (const [id, entity] of Object.entries(body)) await service.putMessage(group, id, entity, false);
  return json(200, await service.messages(group, publicUrl));
}

async function getMessage(context: RouteContext, { group, message }: MessageParams): Promise<ApiResponse> {
  return json(200, await context.deps.service.message(group, message, context.deps.publicUrl));
}

async function putMessage(context: RouteContext, params: MessageParams): Promise<ApiResponse> {
  const { group, message } = params;
  const result = await context.deps.service.putMessage(group, message, context.body(), context.request.method === 'PATCH');
  const headers = result.created ? context.location(`/messagegroups/${group}/messages/${message}`) : {};
  return json(result.created ? 201 : 200, await context.deps.service.message(group, message, context.deps.publicUrl), headers);
}

async function deleteMessage(context: RouteContext, { group, message }: MessageParams): Promise<ApiResponse> {
  await context.deps.service.deleteMessage(group, message);
  return noContent();
}

function noDocument(): never {
  return fail(XRegistryErrorType.badDetails, 'message definitions have no document, so "$details" does not apply');
}

/** `/messagegroups/{g}/messages[/{m}]`: message definitions, i.e. routes. */
const MESSAGE_ROUTES: readonly Route[] = [
  route('GET', MESSAGES, listMessages),
  route('POST', MESSAGES, postMessages),
  route(ANY_METHOD, `${MESSAGES}$details`, noDocument),
  route('GET', MESSAGE, getMessage),
  route('PUT', MESSAGE, putMessage),
  route('PATCH', MESSAGE, putMessage),
  route('DELETE', MESSAGE, deleteMessage),
  route(ANY_METHOD, `${MESSAGE}$details`, noDocument),
];

export { MESSAGE_ROUTES };
