import { isObject } from '../json/index.ts';
import { versionXid } from '../names/index.ts';
import type { ApiResponse } from '../registryApi/index.ts';
import { DEFAULT_FORMAT } from '../xregistry/index.ts';
import { badRequest } from './errors.ts';
import { requiredQuery, requiredString } from './input.ts';
import { registryViewOf } from './registryView.ts';
import { json } from './responses.ts';
import type { ConsoleContext, ConsoleRoute } from './router.ts';
import type { CompatibilityView, MessageWrittenView, RegisteredView, SchemaVersionView } from './views.ts';
import { logWrite } from './writeLog.ts';

type ParsedText = { readonly ok: true; readonly document: unknown } | { readonly ok: false; readonly problem: string };

/** A schema pasted into the page: JSON, or why it is not. */
function parseSchemaText(text: string): ParsedText {
  try {
    return { ok: true, document: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, problem: `the text is not JSON: ${(error as Error).message}` };
  }
}

/** `{group, schema, text}`, the body of a check and of a registration. */
function schemaInput(context: ConsoleContext): { readonly group: string; readonly schema: string; readonly text: string } {
  const body = context.body();
  return { group: requiredString(body, 'group'), schema: requiredString(body, 'schema'), text: requiredString(body, 'text') };
}

async function getRegistry(context: ConsoleContext): Promise<ApiResponse> {
  return json(200, registryViewOf(await context.deps.registry.export()));
}

/** One version's document as text; the default version when `version` is left out. */
async function getVersion(context: ConsoleContext): Promise<ApiResponse> {
  const { query } = context;
  const group = requiredQuery(query, 'group');
  const schema = requiredQuery(query, 'schema');
  const { view, document } = await context.deps.registry.version(group, schema, query.get('version') || undefined, '');
  const versionId = typeof view.versionid === 'string' ? view.versionid : '';
  const body: SchemaVersionView = {
    xid: typeof view.xid === 'string' ? view.xid : versionXid(group, schema, versionId),
    format: typeof view.format === 'string' ? view.format : DEFAULT_FORMAT,
    text: typeof document === 'string' ? document : JSON.stringify(document ?? null, null, 2),
  };
  return json(200, body);
}

/**
 * Would the text register as the schema's next version? The registry's own judgement
 * (RegistryService.checkVersion), nothing stored: text that is not an Avro schema is an answer
 * (`invalid`), not an error.
 */
async function checkSchema(context: ConsoleContext): Promise<ApiResponse> {
  const { group, schema, text } = schemaInput(context);
  const parsed = parseSchemaText(text);
  const check = await context.deps.registry.checkVersion(group, schema, parsed.ok ? parsed.document : null);
  const invalid = parsed.ok ? check.invalid : parsed.problem;
  const body: CompatibilityView = {
    compatibility: check.compatibility,
    compatible: invalid === undefined && check.breaking.length === 0,
    breaking: check.breaking,
    ...(invalid === undefined ? {} : { invalid }),
  };
  return json(200, body);
}

/** Registers the text as the schema's next version, through the registry's own write (POST to the schema). */
async function registerVersion(context: ConsoleContext): Promise<ApiResponse> {
  const { group, schema, text } = schemaInput(context);
  const parsed = parseSchemaText(text);
  if (!parsed.ok) throw badRequest(parsed.problem);
  const versionId = await context.deps.registry.postVersion(group, schema, { attributes: { format: DEFAULT_FORMAT }, document: parsed.document });
  const body: RegisteredView = { xid: versionXid(group, schema, versionId), versionId };
  logWrite(context.deps.logger, 'register', { xid: body.xid });
  return json(201, body);
}

/** Writes a message definition (a route) whole, as `PUT /messagegroups/g/messages/m` does. */
async function writeMessage(context: ConsoleContext): Promise<ApiResponse> {
  const body = context.body();
  const group = requiredString(body, 'group');
  const message = requiredString(body, 'message');
  if (!isObject(body.definition)) throw badRequest('"definition" is required: the message definition, a JSON object');
  const { created } = await context.deps.registry.putMessage(group, message, body.definition, false);
  const written: MessageWrittenView = { xid: `/messagegroups/${group}/messages/${message}`, created };
  logWrite(context.deps.logger, 'message write', { xid: written.xid, created });
  return json(created ? 201 : 200, written);
}

const REGISTRY_ROUTES: readonly ConsoleRoute[] = [
  { method: 'GET', path: '/registry', access: 'read', handler: getRegistry },
  { method: 'GET', path: '/registry/version', access: 'read', handler: getVersion },
  // A POST that only reads: the schema travels in the body.
  { method: 'POST', path: '/registry/check', access: 'read', handler: checkSchema },
  { method: 'POST', path: '/registry/versions', access: 'write', handler: registerVersion },
  { method: 'PUT', path: '/registry/messages', access: 'write', handler: writeMessage },
];

export { REGISTRY_ROUTES };
