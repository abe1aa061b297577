import { type Env, EnvReader } from './env.ts';
import type { LogLevel } from './types.ts';

type RegistryApiConfig = {
  readonly logLevel: LogLevel;
  readonly databaseUrl: string;
  readonly databasePoolMax: number;
  /** Bearer token for writes. Unset: the API is read-only. */
  readonly writeToken: string | undefined;
  /** Base URL for `self` links; unset means taken from each request's Host header. */
  readonly publicUrl: string | undefined;
  /** Subject filters of the ingest and dead-letter streams; routes must fall inside them. */
  readonly ingestSubjects: readonly string[];
  readonly deadLetterSubjects: readonly string[];
};

const LOG_LEVELS: readonly string[] = ['debug', 'info', 'warn', 'error'];

/** Configuration of the registry HTTP API function. */
function loadRegistryApiConfig(env: Env = process.env): RegistryApiConfig {
  const reader = new EnvReader(env);
  const logLevel = reader.string('LOG_LEVEL', 'info');
  reader.check(LOG_LEVELS.includes(logLevel), `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const writeToken = reader.optionalString('REGISTRY_API_TOKEN');
  // A short token is guessable; refuse it rather than run a registry anyone can rewrite.
  reader.check(writeToken === undefined || writeToken.length >= 16, 'REGISTRY_API_TOKEN must be at least 16 characters');
  const publicUrl = reader.optionalString('REGISTRY_PUBLIC_URL');
  if (publicUrl !== undefined) reader.url('REGISTRY_PUBLIC_URL', publicUrl, ['http:', 'https:']);
  const config: RegistryApiConfig = {
    logLevel: logLevel as LogLevel,
    databaseUrl: reader.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/ingest', ['postgres:', 'postgresql:']),
    databasePoolMax: reader.integer('DATABASE_POOL_MAX', 4, { min: 1, max: 100 }),
    writeToken,
    publicUrl: publicUrl?.replace(/\/+$/, ''),
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
