import { COMPATIBILITY_MODES } from '../shared/avro/index.ts';
import { loadCliConfig, loadRegistryClientConfig } from '../shared/config/index.ts';
import { type CommandSpec, flag, oneOf, stringValue } from './commandSpec.ts';

/** The registry commands' code, loaded only when one runs (see commandTable.ts). */
const commands = (): Promise<typeof import('./registryCommands.ts')> => import('./registryCommands.ts');
const fingerprintCommands = (): Promise<typeof import('./fingerprintCommands.ts')> => import('./fingerprintCommands.ts');

const PATH_EXAMPLE = "e.g. '/schemagroups/metrics/schemas/cpu-usage$details?inline=versions'";

/** `registry put|patch|post <path> <file.json>`: one spec per verb, each with its own help. */
function writeCommand(verb: 'put' | 'patch' | 'post', what: string): CommandSpec {
  return {
    name: `registry ${verb}`,
    args: ['<path>', '<file.json>'],
    options: {},
    summary: `${what} (the HTTP API's ${verb.toUpperCase()})`,
    details: `Sends <file.json> as the body of ${verb.toUpperCase()} <path> through exactly the rules of the HTTP API and\nprints the answer (the entity, or an RFC 9457 problem). Exit code 1 when the registry refuses it.\nThe CLI holds database credentials, so it needs no token.`,
    async run({ args, print }) {
      return (await commands()).runRegistryRequest(loadCliConfig(), verb.toUpperCase(), args[0]!, args[1]!, print);
    },
  };
}

const REGISTRY_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'registry import',
    aliases: ['registry load'],
    args: ['<file.xreg.json>'],
    options: {},
    summary: 'validate and apply a registry document in one transaction; creates sink tables',
    details:
      'The document is an export (`ingest registry export`) or one written by hand. Everything in it is\nvalidated first and applied in one transaction, so a bad document changes nothing. Prints one\nline per route loaded.',
    async run({ args, print }) {
      await (await commands()).runRegistryImport(loadCliConfig(), args[0]!, print);
      return true;
    },
  },
  {
    name: 'registry export',
    args: [],
    options: { out: { type: 'string', value: 'FILE', help: 'write the document to FILE instead of standard output' } },
    summary: 'the whole registry as one document',
    details: 'The same document as GET /export; `ingest registry import` restores it.',
    async run({ values, print }) {
      await (await commands()).runRegistryExport(loadCliConfig(), stringValue(values, 'out'), print);
      return true;
    },
  },
  {
    name: 'registry list',
    args: [],
    options: { json: { type: 'boolean', help: 'print a JSON array of message definitions (sinks as stored) instead of tab-separated lines' } },
    summary: 'one line per message definition: routed (subject, schema, sink, dead letters, wire format) or catalogue (and why)',
    details:
      'A header line, then one tab-separated line per message definition. `plane` is `routed` for a NATS\nmessage with an Avro schema and an `ingestion` attribute, which the plane consumes; anything else\nis `catalogue` (stored, served and exported, never routed), and `reason` says why.',
    async run({ values, print }) {
      await (await commands()).runRegistryList(loadCliConfig(), { json: flag(values, 'json') }, print);
      return true;
    },
  },
  {
    name: 'registry get',
    args: ['<path>'],
    options: {},
    summary: 'any registry path',
    details: `Prints what GET <path> answers, ${PATH_EXAMPLE}. Exit code 1 when the path is not found.`,
    async run({ args, print }) {
      return (await commands()).runRegistryRequest(loadCliConfig(), 'GET', args[0]!, undefined, print);
    },
  },
  writeCommand('put', 'create or replace an entity'),
  writeCommand('patch', 'merge into an entity'),
  writeCommand('post', 'add a schema version, or a map of entities to a collection'),
  {
    name: 'registry delete',
    args: ['<path>'],
    options: {},
    summary: 'delete an entity through the rules of the HTTP API',
    details: 'Exit code 1 when the registry refuses it or the path is not found.',
    async run({ args, print }) {
      return (await commands()).runRegistryRequest(loadCliConfig(), 'DELETE', args[0]!, undefined, print);
    },
  },
  {
    name: 'registry fingerprints',
    args: ['<path>'],
    options: { json: { type: 'boolean', help: 'print a JSON array of {version, numericid, fingerprints} instead of tab-separated lines' } },
    summary: 'the CRC-64-AVRO fingerprint of each canonical-form variant of a schema version',
    details:
      "Avro implementations disagree on the canonical form of logical types, so a single-object frame\ncarries the fingerprint of its writer library's form; the registry knows them all. <path> is a\nschema (all its versions) or a version, e.g. /schemagroups/metrics/schemas/cpu-usage/versions/1.\nOne tab-separated line per version and variant, naming who writes it. Exit code 1 when the path\nis not found.",
    async run({ args, values, print }) {
      return (await fingerprintCommands()).runRegistryFingerprints(loadCliConfig(), args[0]!, { json: flag(values, 'json') }, print);
    },
  },
  {
    name: 'registry check-compat',
    args: ['<schema-path>', '<schema.avsc>'],
    options: { mode: { type: 'string', value: 'MODE', help: `check under MODE instead of the schema's own rule: ${COMPATIBILITY_MODES.join(', ')}` } },
    summary: 'check a schema file against the registered versions, changing nothing',
    details:
      'What a producer team runs in CI before it deploys. Reads the registry over HTTP from\nREGISTRY_URL when set, else from the database. Exit code 1 when the schema is incompatible.',
    async run({ args, values, print }) {
      const mode = oneOf(stringValue(values, 'mode'), '--mode', COMPATIBILITY_MODES);
      return (await commands()).runCheckCompat(
        loadCliConfig(),
        { schemaPath: args[0]!, file: args[1]!, registryUrl: loadRegistryClientConfig().registryUrl, mode },
        print,
      );
    },
  },
];

export { REGISTRY_COMMANDS };
