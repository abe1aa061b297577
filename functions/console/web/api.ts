// The console API's client: same origin, JSON both ways, the token as `Authorization: Bearer`
// when the page holds one. A problem document (RFC 9457) becomes an ApiError carrying its
// title and detail, which the pages show as they are.
import type { ProblemView } from '../../../shared/console/views.ts';
import { currentToken, requestSignIn } from './auth.ts';

const API_BASE = '/console/api/';

class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemView | undefined;

  constructor(status: number, problem: ProblemView | undefined, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** The text a page shows for a failure: the problem's title and detail, or the error's message. */
function errorText(error: unknown): string {
  if (error instanceof ApiError && error.problem !== undefined) {
    const { title, detail, status } = error.problem;
    return detail === undefined || detail === '' ? `${title} (${status})` : `${title} (${status}): ${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

const isProblem = (value: unknown): value is ProblemView =>
  typeof value === 'object' && value !== null && typeof (value as { title?: unknown }).title === 'string';

async function send<T>(method: string, path: string, body: unknown, retried: boolean): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = currentToken();
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(API_BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, undefined, `The console API did not answer: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;
  // A 401 (no token, or a wrong one) asks for the token once, then tries again with it.
  if (response.status === 401 && !retried && (await requestSignIn())) return send<T>(method, path, body, true);
  const problem = isProblem(parsed) ? parsed : undefined;
  throw new ApiError(
    response.status,
    problem,
    problem === undefined ? `${method} ${path} answered ${response.status} ${text.slice(0, 200)}` : errorText(new ApiError(response.status, problem, '')),
  );
}

/** A read: GET with query parameters (empty ones left out). */
function apiGet<T>(path: string, params: Readonly<Record<string, string | undefined>> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(name, value);
  const tail = query.toString();
  return send<T>('GET', tail === '' ? path : `${path}?${tail}`, undefined, false);
}

/** A write: needs the token, so without one it asks first (and gives up when the operator cancels). */
async function apiWrite<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  if (currentToken() === undefined && !(await requestSignIn())) {
    throw new ApiError(401, undefined, 'Sign in with the registry token to do this.');
  }
  return send<T>(method, path, body, currentToken() === undefined);
}

/** A POST that stores nothing (a compatibility check): no token needed unless reads need one. */
function apiPost<T>(path: string, body: unknown): Promise<T> {
  return send<T>('POST', path, body, false);
}

export { ApiError, apiGet, apiPost, apiWrite, errorText };
