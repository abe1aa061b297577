import { isCcompatRead } from './ccompatApi.ts';
import type { ApiRequest, ApiResponse } from './request.ts';

type WriteLine = { readonly level: 'info' | 'warn'; readonly fields: Record<string, unknown> };

const WRITES = new Set(['PUT', 'PATCH', 'POST', 'DELETE']);

/**
 * The log line of a write, so operators see who changed the registry and what was refused: the
 * method, path and status, and for a refusal the problem's detail (or the Confluent message) and (for a 409) the routes that
 * held it. Reads are not logged, nor the ccompat API's POSTs that only read.
 */
function describeWrite(request: ApiRequest, response: ApiResponse): WriteLine | undefined {
  // A ccompat lookup or compatibility test is a POST that reads.
  if (!WRITES.has(request.method) || isCcompatRead(request)) return undefined;
  const fields: Record<string, unknown> = { method: request.method, path: request.path, status: response.status };
  if (response.status < 400) return { level: 'info', fields };
  try {
    // A problem document's detail, or a Confluent error body's message (the ccompat API).
    const problem = JSON.parse(response.body) as { detail?: unknown; message?: unknown; routes?: unknown };
    fields.detail = problem.detail ?? problem.message;
    if (problem.routes !== undefined) fields.routes = problem.routes;
  } catch {
    // Problem bodies are always JSON; nothing more to add if one is not.
  }
  return { level: 'warn', fields };
}

export { describeWrite };
