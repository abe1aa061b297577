import { parseVersion } from '../xregistry/index.ts';
import { flag, levelOfBody, schemaIdOf, schemaOfBody } from './ccompatBodies.ts';
import type { RouteContext } from './context.ts';
import type { ApiResponse } from './request.ts';
import { type Route, route } from './route.ts';

/** Confluent's own media type; its clients also accept application/json. */
const CCOMPAT_TYPE = 'application/vnd.schemaregistry.v1+json';

function ccompatJson(body: unknown): ApiResponse {
  return { status: 200, headers: { 'content-type': CCOMPAT_TYPE }, body: JSON.stringify(body) };
}

/** `…/schema` answers the schema itself, not a JSON string holding it. */
function rawSchema(schema: string): ApiResponse {
  return { status: 200, headers: { 'content-type': CCOMPAT_TYPE }, body: schema };
}

function subjects(context: RouteContext): ReturnType<RouteContext['deps']['service']['ccompat']> {
  return context.deps.service.ccompat();
}

const deleted = (context: RouteContext): boolean => flag(context.query, 'deleted');

async function compatibility(context: RouteContext, subject: string, version: string | undefined): Promise<ApiResponse> {
  const document = schemaOfBody(context.body());
  const selector = version === undefined ? undefined : parseVersion(version);
  const result = await subjects(context).testCompatibility(subject, selector, document);
  return ccompatJson({ is_compatible: result.compatible, ...(flag(context.query, 'verbose') ? { messages: result.messages } : {}) });
}

/**
 * The Confluent Schema Registry REST API (the part serializers, deserializers and common tools
 * use), relative to its prefix. Which requests need the write token is decided in ccompatApi.ts.
 */
const CCOMPAT_ROUTES: readonly Route[] = [
  route('GET', '/', () => ccompatJson({})),
  route('GET', '/subjects', async (context) =>
    ccompatJson(await subjects(context).subjects({ deleted: deleted(context), prefix: context.query.get('subjectPrefix') ?? '' })),
  ),
  route('POST', '/subjects/:subject', async (context, { subject }) =>
    ccompatJson(await subjects(context).lookup(subject, schemaOfBody(context.body()), deleted(context))),
  ),
  route('DELETE', '/subjects/:subject', async (context, { subject }) =>
    ccompatJson(await subjects(context).deleteSubject(subject, flag(context.query, 'permanent'))),
  ),
  route('GET', '/subjects/:subject/versions', async (context, { subject }) => ccompatJson(await subjects(context).versions(subject, deleted(context)))),
  route('POST', '/subjects/:subject/versions', async (context, { subject }) =>
    ccompatJson(await subjects(context).register(subject, schemaOfBody(context.body()))),
  ),
  route('GET', '/subjects/:subject/versions/:version', async (context, { subject, version }) =>
    ccompatJson(await subjects(context).version(subject, parseVersion(version), deleted(context))),
  ),
  route('GET', '/subjects/:subject/versions/:version/schema', async (context, { subject, version }) =>
    rawSchema((await subjects(context).version(subject, parseVersion(version), deleted(context))).schema),
  ),
  route('DELETE', '/subjects/:subject/versions/:version', async (context, { subject, version }) =>
    ccompatJson(await subjects(context).deleteVersion(subject, parseVersion(version), flag(context.query, 'permanent'))),
  ),
  route('GET', '/schemas/types', () => ccompatJson(['AVRO'])),
  route('GET', '/schemas/ids/:id', async (context, { id }) => ccompatJson(await subjects(context).schemaById(schemaIdOf(id)))),
  route('GET', '/schemas/ids/:id/schema', async (context, { id }) => rawSchema((await subjects(context).schemaById(schemaIdOf(id))).schema)),
  route('GET', '/schemas/ids/:id/versions', async (context, { id }) => ccompatJson(await subjects(context).subjectVersionsOfId(schemaIdOf(id)))),
  route('GET', '/schemas/ids/:id/subjects', async (context, { id }) =>
    ccompatJson((await subjects(context).subjectVersionsOfId(schemaIdOf(id))).map((entry) => entry.subject)),
  ),
  route('POST', '/compatibility/subjects/:subject/versions', (context, { subject }) => compatibility(context, subject, undefined)),
  route('POST', '/compatibility/subjects/:subject/versions/:version', (context, { subject, version }) => compatibility(context, subject, version)),
  // Tools ask before offering writes: without a configured token nobody may write.
  route('GET', '/mode', (context) => ccompatJson({ mode: context.deps.writeToken === undefined ? 'READONLY' : 'READWRITE' })),
  route('GET', '/config', async (context) => ccompatJson({ compatibilityLevel: await subjects(context).globalLevel() })),
  route('PUT', '/config', async (context) => ccompatJson({ compatibility: await subjects(context).setGlobalLevel(levelOfBody(context.body())) })),
  route('GET', '/config/:subject', async (context, { subject }) =>
    ccompatJson({ compatibilityLevel: await subjects(context).subjectLevel(subject, flag(context.query, 'defaultToGlobal')) }),
  ),
  route('PUT', '/config/:subject', async (context, { subject }) =>
    ccompatJson({ compatibility: await subjects(context).setSubjectLevel(subject, levelOfBody(context.body())) }),
  ),
  route('DELETE', '/config/:subject', async (context, { subject }) => ccompatJson({ compatibilityLevel: await subjects(context).deleteSubjectLevel(subject) })),
];

/** POSTs that only read: a lookup and a compatibility test need no token, as GETs do not. */
function isReadOnlyPost(segments: readonly string[]): boolean {
  return (segments[0] === 'subjects' && segments.length === 2) || segments[0] === 'compatibility';
}

export { CCOMPAT_ROUTES, CCOMPAT_TYPE, isReadOnlyPost };
