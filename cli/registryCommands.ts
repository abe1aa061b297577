import { readFile, writeFile } from 'node:fs/promises';
import { createRegistryService, loadRegistry } from '../shared/xregistry/index.ts';
import { checkCompatibility, type CompatibilityMode, COMPATIBILITY_MODES } from '../shared/avro/index.ts';
import { type CliConfig, loadHttpSinkPolicy } from '../shared/config/index.ts';
import { parseSchemaXid, type StreamFilters } from '../shared/xregistry/index.ts';
import { isObject } from '../shared/json/index.ts';
import { describeSinkTarget, ingestionSinkEntries } from '../shared/sinks/index.ts';
import { handleRegistryRequest } from '../shared/registryApi/index.ts';
import { type Print, withSql } from './commands.ts';

async function readJson(file: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function filtersOf(config: CliConfig): StreamFilters {
  return { ingest: config.nats.ingest.subjects, deadLetter: config.nats.deadLetter.subjects, httpSinks: loadHttpSinkPolicy() };
}

async function runRegistryImport(config: CliConfig, file: string, print: Print): Promise<void> {
  const document = await readJson(file, 'registry document');
  const routes = await withSql(config, (sql) => loadRegistry(sql, document, filtersOf(config)));
  for (const route of routes) {
    const sinks = route.sinks.map((sink) => (sink.kind === 'invalid' ? `invalid sink: ${sink.problem}` : JSON.stringify(sink))).join(' + ');
    print(`route ${route.subject} -> ${sinks} (schema ${route.schema.xid}, ${route.wireFormat}; dead letters to ${route.deadLetterSubject})`);
  }
}

async function runRegistryExport(config: CliConfig, out: string | undefined, print: Print): Promise<void> {
  const document = await withSql(config, (sql) => createRegistryService(sql, filtersOf(config)).export());
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (out === undefined) print(text.trimEnd());
  else {
    await writeFile(out, text);
    print(`wrote ${out}`);
  }
}

/** A message definition as `ingest registry list` shows it: a route, or catalogue with why. */
type MessageListing = {
  readonly message: string;
  readonly plane: 'routed' | 'catalogue';
  /** Why the plane does not route a catalogue message; absent for a route. */
  readonly reasons?: readonly string[];
  readonly subject: unknown;
  readonly dataschemaxid: unknown;
  /** The sink targets as stored (one, or several for a fan-out route); empty for catalogue. */
  readonly sinks: readonly unknown[];
  readonly deadlettersubject: unknown;
  readonly wireformat: unknown;
};

async function listMessages(config: CliConfig): Promise<MessageListing[]> {
  const judged = await withSql(config, (sql) => createRegistryService(sql, filtersOf(config)).routing());
  return judged.map(({ message, routing }) => {
    const written = message.attributes;
    const message_ = `/messagegroups/${message.messagegroupid}/messages/${message.messageid}`;
    if (routing.routed && message.ingestion !== null) {
      return {
        message: message_,
        plane: 'routed',
        subject: message.subject,
        dataschemaxid: message.dataschemaxid,
        sinks: ingestionSinkEntries(message.ingestion),
        deadlettersubject: message.ingestion.deadlettersubject,
        wireformat: message.ingestion.wireformat ?? 'raw',
      };
    }
    const options = isObject(written.protocoloptions) ? written.protocoloptions : {};
    return {
      message: message_,
      plane: 'catalogue',
      reasons: routing.routed ? [] : routing.reasons,
      subject: options.subject ?? options.topic ?? options.topic_name ?? null,
      dataschemaxid: written.dataschemaxid ?? written.dataschemauri ?? null,
      sinks: [],
      deadlettersubject: null,
      wireformat: null,
    };
  });
}

/**
 * One line per message definition: the routes the plane consumes (subject, schema, sinks, dead
 * letters, framing) and the catalogue it only keeps, with the reason; `json`: one JSON array.
 */
async function runRegistryList(config: CliConfig, options: { json: boolean }, print: Print): Promise<void> {
  const messages = await listMessages(config);
  if (options.json) {
    print(JSON.stringify(messages, null, 2));
    return;
  }
  const cell = (value: unknown): string => (value === null || value === undefined ? '-' : String(value));
  print(['message', 'plane', 'subject', 'dataschemaxid', 'sink', 'deadlettersubject', 'wireformat', 'reason'].join('\t'));
  for (const entry of messages) {
    const sinks = entry.sinks.length === 0 ? '-' : entry.sinks.map(describeSinkTarget).join(' + ');
    const reason = entry.reasons === undefined ? '-' : entry.reasons.join('; ');
    print(
      [entry.message, entry.plane, cell(entry.subject), cell(entry.dataschemaxid), sinks, cell(entry.deadlettersubject), cell(entry.wireformat), reason].join(
        '\t',
      ),
    );
  }
}

/**
 * GET/PUT/PATCH/POST/DELETE on a registry path, through the same code as the HTTP API, so the
 * same rules apply (a delete that routes still need is refused with the routes named). The CLI
 * holds database credentials, so it acts as an administrator; HTTP clients need the API token.
 */
async function runRegistryRequest(config: CliConfig, method: string, path: string, file: string | undefined, print: Print): Promise<boolean> {
  const token = 'cli-direct-database-access';
  const body = file === undefined ? undefined : await readFile(file, 'utf8');
  const at = path.indexOf('?');
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const response = await withSql(config, (sql) =>
    handleRegistryRequest(
      { method, path: at === -1 ? path : path.slice(0, at), query: at === -1 ? '' : path.slice(at + 1), headers, body },
      { service: createRegistryService(sql, filtersOf(config)), writeToken: token, publicUrl: '', corsOrigins: [] },
      { unexpected: (error) => print(`unexpected error: ${(error as Error).stack ?? String(error)}`) },
    ),
  );
  print(response.body === '' ? `${response.status}` : response.body);
  return response.status < 400;
}

type Details = { meta?: { compatibility?: string }; versions?: Record<string, { schema?: unknown; numericid?: number }> };

async function fetchSchemaDetails(registryUrl: string, path: string): Promise<Details> {
  const url = `${registryUrl}${path}$details?inline=versions,schema,meta`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Details;
}

/**
 * Checks a schema file against a registered schema under that schema's compatibility rule,
 * without changing anything: what a producer team runs in CI before it deploys.
 */
async function runCheckCompat(
  config: CliConfig,
  options: { schemaPath: string; file: string; registryUrl: string | undefined; mode: string | undefined },
  print: Print,
): Promise<boolean> {
  const reference = parseSchemaXid(options.schemaPath);
  const candidate = await readJson(options.file, 'schema');
  const path = `/schemagroups/${reference.group}/schemas/${reference.schema}`;
  const details: Details =
    options.registryUrl !== undefined
      ? await fetchSchemaDetails(options.registryUrl, path)
      : ((await withSql(config, (sql) =>
          createRegistryService(sql, filtersOf(config)).schemaDetails(reference.group, reference.schema, '', new Set(['versions', 'schema', 'meta'])),
        )) as Details);
  const versions = Object.values(details.versions ?? {}).sort((a, b) => (a.numericid ?? 0) - (b.numericid ?? 0));
  const mode = (options.mode ?? details.meta?.compatibility ?? 'none') as CompatibilityMode;
  if (!(COMPATIBILITY_MODES as readonly string[]).includes(mode)) throw new Error(`unknown compatibility "${mode}"`);
  const problems = checkCompatibility(
    mode,
    candidate,
    versions.map((version) => version.schema),
  );
  if (problems.length === 0) {
    print(`compatible: ${options.file} satisfies "${mode}" against ${versions.length} version(s) of ${path}`);
    return true;
  }
  print(`INCOMPATIBLE: ${options.file} breaks "${mode}" against ${path}:`);
  for (const problem of problems) print(`  ${problem.path}: ${problem.message}`);
  return false;
}

export { runCheckCompat, runRegistryExport, runRegistryImport, runRegistryList, runRegistryRequest };
