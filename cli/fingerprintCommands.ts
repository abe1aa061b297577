import { CANONICAL_VARIANT_NAMES, CANONICAL_VARIANT_WRITERS } from '../shared/avro/index.ts';
import type { CliConfig } from '../shared/config/index.ts';
import { matchSchemaXid } from '../shared/names/index.ts';
import { createRegistryService, XRegistryError } from '../shared/xregistry/index.ts';
import { type Print, withSql } from './commands.ts';
import { UsageError } from './exitCodes.ts';

type VersionFingerprints = { readonly version: string; readonly numericid: number; readonly fingerprints: Readonly<Record<string, string>> };

/**
 * `ingest registry fingerprints <path>`: the fingerprint of every canonical-form variant of one
 * version, or of each version of a schema; the value a single-object producer puts in its frame
 * depends on which Avro implementation it uses.
 */
async function runRegistryFingerprints(config: CliConfig, path: string, options: { json: boolean }, print: Print): Promise<boolean> {
  const reference = matchSchemaXid(path);
  if (reference === undefined) {
    throw new UsageError(`<path> must be /schemagroups/<group>/schemas/<schema> or .../versions/<version>, got ${JSON.stringify(path)}`);
  }
  let versions: VersionFingerprints[];
  try {
    versions = await withSql(config, async (sql) => {
      const service = createRegistryService(sql, { ingest: [], deadLetter: [] });
      const views =
        reference.version === undefined
          ? Object.values(await service.versions(reference.group, reference.schema, '', new Set()))
          : [(await service.version(reference.group, reference.schema, reference.version, '')).view];
      return views.map((view) => ({
        version: String(view.versionid),
        numericid: Number(view.numericid),
        fingerprints: view.fingerprints as Record<string, string>,
      }));
    });
  } catch (error) {
    if (error instanceof XRegistryError && error.status === 404) {
      print(`not found: ${path}`);
      return false;
    }
    throw error;
  }
  if (options.json) {
    print(JSON.stringify(versions, null, 2));
    return true;
  }
  print(['version', 'numericid', 'variant', 'fingerprint', 'written by'].join('\t'));
  for (const version of versions) {
    for (const variant of CANONICAL_VARIANT_NAMES) {
      print([version.version, version.numericid, variant, version.fingerprints[variant] ?? '-', CANONICAL_VARIANT_WRITERS[variant]].join('\t'));
    }
  }
  return true;
}

export { runRegistryFingerprints };
