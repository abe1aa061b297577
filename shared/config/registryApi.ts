import { type Env, EnvReader } from './env.ts';
import { readTelemetry, type TelemetryConfig } from './telemetry.ts';
import type { LogLevel } from './types.ts';

type RegistryApiConfig = {
  readonly logLevel: LogLevel;
  readonly telemetry: TelemetryConfig;
  readonly databaseUrl: string;
  readonly databasePoolMax: number;
  /** Bearer token for writes. Unset: the API is read-only. */
  readonly writeToken: string | undefined;
  /**
   * The registry's public base URL, without a trailing slash: every `self` link and `Location`
   * is built from it, never from a request's Host or X-Forwarded-* headers.
   */
  readonly publicUrl: string;
  /** Whether publicUrl is the local default because REGISTRY_PUBLIC_URL is unset. */
  readonly publicUrlDefaulted: boolean;
  /** Exact origins (scheme://host[:port]) browsers may call the API from; empty: no CORS at all. */
  readonly corsOrigins: readonly string[];
  /** Subject filters of the ingest and dead-letter streams; routes must fall inside them. */
  readonly ingestSubjects: readonly string[];
  readonly deadLetterSubjects: readonly string[];
};

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];
/** serverless-offline's address under `npm start`; any other deployment sets REGISTRY_PUBLIC_URL. */
const LOCAL_PUBLIC_URL = 'http://127.0.0.1:3000';

function parsedUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** REGISTRY_PUBLIC_URL: http(s), no credentials, query or fragment (links are built by appending paths). */
function readPublicUrl(reader: EnvReader): { url: string; defaulted: boolean } {
  const raw = reader.optionalString('REGISTRY_PUBLIC_URL');
  if (raw === undefined) return { url: LOCAL_PUBLIC_URL, defaulted: true };
  const url = parsedUrl(raw);
  reader.check(url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:'), 'REGISTRY_PUBLIC_URL must be an http:// or https:// URL');
  reader.check(
    url === undefined || (url.username === '' && url.password === '' && url.search === '' && url.hash === ''),
    'REGISTRY_PUBLIC_URL must not carry credentials, a query or a fragment',
  );
  return { url: (url?.href ?? raw).replace(/\/+$/, ''), defaulted: false };
}

/**
 * REGISTRY_API_CORS_ORIGINS: comma-separated exact origins such as https://console.example.com.
 * A wildcard is refused: a registry that takes writes should name the sites that may send them.
 */
function readCorsOrigins(reader: EnvReader): string[] {
  const origins: string[] = [];
  for (const item of reader.list('REGISTRY_API_CORS_ORIGINS', [])) {
    const url = parsedUrl(item);
    const exact = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === item.replace(/\/$/, '');
    reader.check(item !== '*', 'REGISTRY_API_CORS_ORIGINS must list exact origins; "*" is not accepted');
    reader.check(item === '*' || exact, `REGISTRY_API_CORS_ORIGINS: "${item}" is not an origin (scheme://host[:port], no path)`);
    if (exact) origins.push(url.origin);
  }
  return origins;
}

/** Configuration of the registry HTTP API function. */
function loadRegistryApiConfig(env: Env = process.env): RegistryApiConfig {
  const reader = new EnvReader(env);
  const logLevel = reader.string('LOG_LEVEL', 'info');
  reader.check(LOG_LEVELS.includes(logLevel), `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const writeToken = reader.optionalString('REGISTRY_API_TOKEN');
  // A short token is guessable; refuse it rather than run a registry anyone can rewrite.
  reader.check(writeToken === undefined || writeToken.length >= 16, 'REGISTRY_API_TOKEN must be at least 16 characters');
  const publicUrl = readPublicUrl(reader);
  const config: RegistryApiConfig = {
    logLevel: logLevel as LogLevel,
    // Lambda (and serverless-offline) name the function in AWS_LAMBDA_FUNCTION_NAME.
    telemetry: readTelemetry(reader, reader.string('AWS_LAMBDA_FUNCTION_NAME', 'ingest-function')),
    databaseUrl: reader.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/ingest', ['postgres:', 'postgresql:']),
    databasePoolMax: reader.integer('DATABASE_POOL_MAX', 4, { min: 1, max: 100 }),
    writeToken,
    publicUrl: publicUrl.url,
    publicUrlDefaulted: publicUrl.defaulted,
    corsOrigins: readCorsOrigins(reader),
    ingestSubjects: reader.list('INGEST_SUBJECTS', ['metrics.>']),
    deadLetterSubjects: reader.list('DEADLETTER_SUBJECTS', ['deadletter.>']),
  };
  reader.done();
  return config;
}

export { loadRegistryApiConfig };
export type { RegistryApiConfig };

/** Where `ingest registry check-compat` reads the registry over HTTP; unset = the database. */
function loadRegistryClientConfig(env: Env = process.env): { readonly registryUrl: string | undefined } {
  const reader = new EnvReader(env);
  const registryUrl = reader.optionalString('REGISTRY_URL');
  if (registryUrl !== undefined) reader.url('REGISTRY_URL', registryUrl, ['http:', 'https:']);
  reader.done();
  return { registryUrl: registryUrl?.replace(/\/+$/, '') };
}

export { loadRegistryClientConfig };
