import { timingSafeEqual } from 'node:crypto';
import { isTransientPostgresError } from '../../shared/postgres/index.ts';
import {
  DEFAULT_FORMAT,
  type Inline,
  isObject,
  registryCapabilities,
  registryModel,
  type RegistryService,
  type VersionInput,
  XRegistryError,
  XRegistryErrorType,
} from '../../shared/xregistry/index.ts';

/** An HTTP request, independent of API Gateway's event shape. */
type ApiRequest = {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** The registry's public base URL, without a trailing slash, for `self` links. */
  readonly baseUrl: string;
};

type ApiResponse = { readonly status: number; readonly headers: Record<string, string>; readonly body: string };

type ApiDeps = {
  readonly service: RegistryService;
  /** Bearer token that writes must present; undefined disables writes. */
  readonly writeToken: string | undefined;
};

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const GROUP_KINDS = new Set(['schemagroups', 'messagegroups']);
const WRITE_METHODS = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body, null, 2) };
}

function problem(error: XRegistryError, instance: string): ApiResponse {
  return { status: error.status, headers: { 'content-type': 'application/problem+json' }, body: JSON.stringify(error.toProblem(instance), null, 2) };
}

function fail(kind: (typeof XRegistryErrorType)[keyof typeof XRegistryErrorType], detail: string): never {
  throw new XRegistryError(kind, detail);
}

function parseBody(request: ApiRequest): unknown {
  if (request.body === undefined || request.body.trim() === '') return fail(XRegistryErrorType.badRequest, 'a JSON body is required');
  try {
    return JSON.parse(request.body) as unknown;
  } catch (error) {
    return fail(XRegistryErrorType.badRequest, `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function inlineOf(query: URLSearchParams): Inline {
  return new Set(query.getAll('inline').flatMap((value) => (value === '' ? ['*'] : value.split(','))).flatMap((path) => path.split('.')));
}

/** `?filter=a=b,c=d` (AND within one parameter, OR across parameters); `=null` means absent. */
function applyFilter(collection: Record<string, Record<string, unknown>>, query: URLSearchParams): Record<string, Record<string, unknown>> {
  const filters = query.getAll('filter');
  if (filters.length === 0) return collection;
  const clauses = filters.map((filter) =>
    filter.split(',').map((expression) => {
      const at = expression.indexOf('=');
      if (at <= 0) fail(XRegistryErrorType.badRequest, `filter "${expression}" must be attribute=value`);
      return { attribute: expression.slice(0, at), value: expression.slice(at + 1) };
    }),
  );
  const matches = (entity: Record<string, unknown>): boolean =>
    clauses.some((clause) =>
      clause.every(({ attribute, value }) => {
        const actual = attribute.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), entity);
        return value === 'null' ? actual === undefined || actual === null : actual !== undefined && String(actual) === value;
      }),
    );
  return Object.fromEntries(Object.entries(collection).filter(([, entity]) => matches(entity)));
}

function authorize(request: ApiRequest, deps: ApiDeps): void {
  if (!WRITE_METHODS.has(request.method)) return;
  if (deps.writeToken === undefined) fail(XRegistryErrorType.forbidden, 'writes are disabled: no REGISTRY_API_TOKEN is configured');
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(deps.writeToken);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    fail(XRegistryErrorType.unauthorized, 'send "Authorization: Bearer <token>" to write');
  }
}

/** Version metadata carried as `xRegistry-<attr>` headers when the body is the document itself. */
function versionInputFromDocument(request: ApiRequest): VersionInput {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith('xregistry-')) continue;
    const attribute = name.slice('xregistry-'.length);
    if (attribute === 'epoch') attributes.epoch = Number(value);
    else if (['format', 'name', 'description', 'versionid', 'ancestorid'].includes(attribute)) attributes[attribute] = value;
  }
  return { attributes: { format: DEFAULT_FORMAT, ...attributes }, document: parseBody(request) };
}

function versionInputFromDetails(body: unknown): VersionInput {
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'the body must be a JSON object');
  const { schema, ...attributes } = body;
  if (schema === undefined) fail(XRegistryErrorType.invalidData, '"schema" (the Avro document) is required with $details');
  return { attributes, document: schema };
}

function documentResponse(view: Record<string, unknown>, document: unknown): ApiResponse {
  const headers: Record<string, string> = { ...JSON_TYPE };
  for (const attribute of ['schemaid', 'versionid', 'self', 'xid', 'epoch', 'format', 'isdefault', 'fingerprint', 'numericid']) {
    if (view[attribute] !== undefined) headers[`xRegistry-${attribute}`] = String(view[attribute]);
  }
  return { status: 200, headers, body: JSON.stringify(document, null, 2) };
}

/** PATCH of a version's `$details`: the stored attributes and document, with the body merged over them. */
async function patchedVersionInput(service: RegistryService, group: string, schema: string, version: string, body: unknown): Promise<VersionInput> {
  if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'the body must be a JSON object');
  const current = await service.version(group, schema, version, '');
  const attributes: Record<string, unknown> = {};
  for (const key of ['name', 'description', 'labels', 'format', 'contenttype', 'ancestorid']) {
    if (current.view[key] !== undefined) attributes[key] = current.view[key];
  }
  const { schema: document, ...changes } = body;
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete attributes[key];
    else attributes[key] = value;
  }
  return { attributes, document: document ?? current.document };
}

function methodNotAllowed(method: string, path: string): never {
  return fail(XRegistryErrorType.methodNotAllowed, `${method} is not supported on ${path}`);
}

function epochParam(query: URLSearchParams): number | undefined {
  const raw = query.get('epoch');
  return raw === null ? undefined : Number(raw);
}

async function route(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  const { method, query, baseUrl } = request;
  const { service } = deps;
  const segments = request.path.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  const last = segments.at(-1);
  const details = last?.endsWith('$details') ?? false;
  if (details) segments[segments.length - 1] = last!.slice(0, -'$details'.length);
  const inline = inlineOf(query);
  const [first, group, collection, resource, sub, version] = segments;
  const created = (status: boolean, location: string): Record<string, string> => (status ? { location: `${baseUrl}${location}` } : {});

  if (first === undefined) {
    if (method === 'GET') return json(200, await service.root(baseUrl, inline));
    if (method === 'PUT' || method === 'PATCH') {
      await service.import(parseBody(request), false);
      return json(200, await service.root(baseUrl, inline));
    }
    return methodNotAllowed(method, '/');
  }
  if (segments.length === 1 && first === 'model' && method === 'GET') return json(200, registryModel());
  if (segments.length === 1 && first === 'capabilities' && method === 'GET') return json(200, registryCapabilities());
  if (segments.length === 1 && first === 'export' && method === 'GET') return json(200, await service.export());
  if (!GROUP_KINDS.has(first)) return fail(XRegistryErrorType.apiNotFound, `/${segments.join('/')} is not an API of this registry`);
  const kind = first as 'schemagroups' | 'messagegroups';

  if (group === undefined) {
    if (method === 'GET') return json(200, applyFilter(await service.groups(kind, baseUrl, inline), query));
    if (method === 'POST') {
      const body = parseBody(request);
      if (!isObject(body)) return fail(XRegistryErrorType.badRequest, `POST /${kind} takes a map of id to group`);
      for (const [id, entity] of Object.entries(body)) await service.putGroup(kind, id, entity, false);
      return json(200, Object.fromEntries(await Promise.all(Object.keys(body).map(async (id) => [id, await service.group(kind, id, baseUrl, new Set())]))));
    }
    return methodNotAllowed(method, `/${kind}`);
  }
  if (collection === undefined) {
    const path = `/${kind}/${group}`;
    if (method === 'GET') return json(200, await service.group(kind, group, baseUrl, inline));
    if (method === 'PUT' || method === 'PATCH') {
      const result = await service.putGroup(kind, group, parseBody(request), method === 'PATCH');
      return json(result.created ? 201 : 200, await service.group(kind, group, baseUrl, new Set()), created(result.created, path));
    }
    if (method === 'DELETE') {
      await service.deleteGroup(kind, group);
      return { status: 204, headers: {}, body: '' };
    }
    return methodNotAllowed(method, path);
  }

  if (kind === 'messagegroups') {
    if (collection !== 'messages' || sub !== undefined) return fail(XRegistryErrorType.apiNotFound, `/${segments.join('/')} is not an API of this registry`);
    if (resource === undefined) {
      if (method === 'GET') return json(200, applyFilter(await service.messages(group, baseUrl), query));
      if (method === 'POST') {
        const body = parseBody(request);
        if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'POST takes a map of id to message');
        for (const [id, entity] of Object.entries(body)) await service.putMessage(group, id, entity, false);
        return json(200, applyFilter(await service.messages(group, baseUrl), new URLSearchParams()));
      }
      return methodNotAllowed(method, `/messagegroups/${group}/messages`);
    }
    const path = `/messagegroups/${group}/messages/${resource}`;
    if (method === 'GET') return json(200, await service.message(group, resource, baseUrl));
    if (method === 'PUT' || method === 'PATCH') {
      const result = await service.putMessage(group, resource, parseBody(request), method === 'PATCH');
      return json(result.created ? 201 : 200, await service.message(group, resource, baseUrl), created(result.created, path));
    }
    if (method === 'DELETE') {
      await service.deleteMessage(group, resource);
      return { status: 204, headers: {}, body: '' };
    }
    return methodNotAllowed(method, path);
  }

  if (collection !== 'schemas') return fail(XRegistryErrorType.apiNotFound, `/${segments.join('/')} is not an API of this registry`);
  if (resource === undefined) {
    if (method === 'GET') return json(200, applyFilter(await service.schemas(group, baseUrl, inline), query));
    if (method === 'POST') {
      const body = parseBody(request);
      if (!isObject(body)) return fail(XRegistryErrorType.badRequest, 'POST takes a map of id to schema');
      for (const [id, entity] of Object.entries(body)) {
        if (!isObject(entity)) fail(XRegistryErrorType.badRequest, `schema ${id} must be an object`);
        await service.putSchema(group, id, { attributes: {}, document: undefined }, entity);
      }
      return json(200, await service.schemas(group, baseUrl, new Set()));
    }
    return methodNotAllowed(method, `/schemagroups/${group}/schemas`);
  }
  const schemaPath = `/schemagroups/${group}/schemas/${resource}`;
  if (sub === undefined) {
    if (method === 'GET') {
      if (details) return json(200, await service.schemaDetails(group, resource, baseUrl, inline));
      const { view, document } = await service.version(group, resource, undefined, baseUrl);
      return documentResponse(view, document);
    }
    if (method === 'PUT' || method === 'PATCH') {
      if (method === 'PATCH' && !details) fail(XRegistryErrorType.detailsRequired, `PATCH ${schemaPath} needs the $details suffix`);
      const body = details ? parseBody(request) : undefined;
      const nested = details && isObject(body) && (body.versions !== undefined || body.meta !== undefined) ? body : undefined;
      const input = details ? (nested === undefined ? versionInputFromDetails(body) : { attributes: {}, document: undefined }) : versionInputFromDocument(request);
      const result = await service.putSchema(group, resource, input, nested);
      return json(result.created ? 201 : 200, await service.schemaDetails(group, resource, baseUrl, new Set()), created(result.created, schemaPath));
    }
    if (method === 'POST') {
      const input = details ? versionInputFromDetails(parseBody(request)) : versionInputFromDocument(request);
      const id = await service.postVersion(group, resource, input);
      const location = `${baseUrl}${schemaPath}/versions/${id}`;
      return json(201, (await service.version(group, resource, id, baseUrl)).view, { location, 'content-location': location });
    }
    if (method === 'DELETE') {
      await service.deleteSchema(group, resource);
      return { status: 204, headers: {}, body: '' };
    }
    return methodNotAllowed(method, schemaPath);
  }
  if (sub === 'meta' && version === undefined) {
    if (method === 'GET') return json(200, await service.meta(group, resource, baseUrl));
    if (method === 'PUT' || method === 'PATCH') {
      await service.putMeta(group, resource, parseBody(request), method === 'PATCH');
      return json(200, await service.meta(group, resource, baseUrl));
    }
    return methodNotAllowed(method, `${schemaPath}/meta`);
  }
  if (sub !== 'versions') return fail(XRegistryErrorType.apiNotFound, `/${segments.join('/')} is not an API of this registry`);
  if (version === undefined) {
    if (method === 'GET') return json(200, applyFilter(await service.versions(group, resource, baseUrl, inline), query));
    return methodNotAllowed(method, `${schemaPath}/versions`);
  }
  const versionPath = `${schemaPath}/versions/${version}`;
  if (method === 'GET') {
    const { view, document } = await service.version(group, resource, version, baseUrl);
    return details ? json(200, inline.has('*') || inline.has('schema') ? { ...view, schema: document } : view) : documentResponse(view, document);
  }
  if (method === 'PUT' || method === 'PATCH') {
    if (method === 'PATCH' && !details) fail(XRegistryErrorType.detailsRequired, `PATCH ${versionPath} needs the $details suffix`);
    const input = method === 'PUT'
      ? (details ? versionInputFromDetails(parseBody(request)) : versionInputFromDocument(request))
      : await patchedVersionInput(service, group, resource, version, parseBody(request));
    const result = await service.putVersion(group, resource, version, input);
    return json(result.created ? 201 : 200, (await service.version(group, resource, version, baseUrl)).view, created(result.created, versionPath));
  }
  if (method === 'DELETE') {
    await service.deleteVersion(group, resource, version, epochParam(query));
    return { status: 204, headers: {}, body: '' };
  }
  return methodNotAllowed(method, versionPath);
}

/**
 * The registry's HTTP API (xRegistry v1.0-rc4 subset). Every failure is an RFC 9457 problem
 * document; errors that are not the client's become `service_unavailable` without internals.
 */
async function handleRegistryRequest(request: ApiRequest, deps: ApiDeps): Promise<ApiResponse> {
  try {
    authorize(request, deps);
    return await route(request, deps);
  } catch (error) {
    if (error instanceof XRegistryError) return problem(error, request.path);
    if (isTransientPostgresError(error)) {
      return problem(new XRegistryError(XRegistryErrorType.serviceUnavailable, 'the registry database is unavailable; retry later', { cause: error }), request.path);
    }
    throw error;
  }
}

export { handleRegistryRequest };
export type { ApiDeps, ApiRequest, ApiResponse };
