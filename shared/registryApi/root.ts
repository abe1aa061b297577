import { registryCapabilities, registryModel, XRegistryErrorType } from '../xregistry/index.ts';
import type { RouteContext } from './context.ts';
import { inlineOf } from './query.ts';
import type { ApiResponse } from './request.ts';
import { fail, json } from './responses.ts';
import { ANY_METHOD, type Route, route } from './route.ts';

async function getRoot(context: RouteContext): Promise<ApiResponse> {
  const { deps, query } = context;
  return json(200, await deps.service.root(deps.publicUrl, inlineOf(query)));
}

/** PUT or PATCH of the registry itself; a body with groups in it imports them. */
async function putRoot(context: RouteContext): Promise<ApiResponse> {
  await context.deps.service.putRoot(context.body(), context.request.method === 'PATCH');
  return getRoot(context);
}

function notADocument(): never {
  return fail(XRegistryErrorType.badDetails, '"$details" applies to a schema or a version');
}

/** The registry root, its read-only APIs, and `$details` refused on anything one or two segments deep. */
const ROOT_ROUTES: readonly Route[] = [
  route('GET', '/', getRoot),
  route('PUT', '/', putRoot),
  route('PATCH', '/', putRoot),
  route('GET', '/model', () => json(200, registryModel())),
  route('GET', '/capabilities', () => json(200, registryCapabilities())),
  route('GET', '/export', async (context) => json(200, await context.deps.service.export())),
  // Neither the registry's APIs, its group collections nor a group have a document; nor has an unknown path.
  route(ANY_METHOD, '/:first$details', notADocument),
  route(ANY_METHOD, '/:first/:second$details', notADocument),
];

export { ROOT_ROUTES };
