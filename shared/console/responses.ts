import type { ApiResponse } from '../registryApi/index.ts';
import { API_HEADERS } from './headers.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json';

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: { ...API_HEADERS, 'content-type': JSON_TYPE }, body: JSON.stringify(body) };
}

type ProblemFields = {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  /** The problem type's URI; `about:blank` when the status says it all. */
  readonly type?: string;
  readonly instance: string;
  readonly headers?: Readonly<Record<string, string>>;
};

/** An RFC 9457 problem document, as the registry API answers its errors. */
function problem(fields: ProblemFields): ApiResponse {
  const body = { type: fields.type ?? 'about:blank', title: fields.title, status: fields.status, detail: fields.detail, instance: fields.instance };
  return { status: fields.status, headers: { ...API_HEADERS, ...fields.headers, 'content-type': PROBLEM_TYPE }, body: JSON.stringify(body) };
}

export { json, problem };
