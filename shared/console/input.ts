import { isObject } from '../json/index.ts';
import type { ApiRequest } from '../registryApi/index.ts';
import { badRequest, ConsoleRequestError } from './errors.ts';

/** Largest body accepted: a schema pasted into the page, or a message definition, fits well. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request's JSON object body. It must be declared `application/json`: a browser sends that
 * cross-site only after a preflight, which the console never grants, so a form on another site
 * cannot post here.
 */
function readJsonObject(request: ApiRequest): Record<string, unknown> {
  const body = request.body ?? '';
  if (body.trim() === '') throw badRequest(`${request.method} ${request.path} needs a JSON body`);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_BODY_BYTES) throw new ConsoleRequestError(413, 'Content Too Large', `the body is ${bytes} bytes; at most ${MAX_BODY_BYTES} are accepted`);
  const contentType = (request.headers['content-type']?.split(';')[0] ?? '').trim().toLowerCase();
  if (contentType !== 'application/json') {
    throw new ConsoleRequestError(415, 'Unsupported Media Type', 'the body must be sent as Content-Type: application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw badRequest('the body must be a JSON object');
  return parsed;
}

function requiredString(fields: Readonly<Record<string, unknown>>, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw badRequest(`"${name}" is required: a non-empty string`);
  return value;
}

function optionalString(fields: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badRequest(`"${name}" must be a string`);
  return value;
}

/** A query parameter as a whole number in a range, or the fallback when absent. */
function queryInteger(query: URLSearchParams, name: string, fallback: number, range: { readonly min: number; readonly max: number }): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw badRequest(`"${name}" must be a whole number from ${range.min} to ${range.max}, not "${raw}"`);
  }
  return value;
}

function requiredQuery(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw badRequest(`the query parameter "${name}" is required`);
  return value;
}

export { optionalString, queryInteger, readJsonObject, requiredQuery, requiredString };
