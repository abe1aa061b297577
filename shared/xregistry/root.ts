import { checkEpoch, checkId, COMMON_ATTRIBUTES, mergePatch, nextCommon, READ_ONLY, rejectUnknown, type WriteMode } from './attributes.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';
import { SPEC_VERSION } from './model.ts';
import * as store from './store.ts';
import type { Attributes, RegistryRow } from './types.ts';

/** rc4 core model attributes of the registry kept beyond the columns (the root has no "*"). */
const REGISTRY_EXTRA = ['documentation', 'icon'] as const;
const REGISTRY_ATTRIBUTES = ['registryid', 'specversion', 'schemagroups', 'messagegroups', 'endpoints', ...REGISTRY_EXTRA, ...COMMON_ATTRIBUTES] as const;

/** The registry's `documentation` and `icon` as written (URLs, so strings). */
function registryExtras(body: Attributes): Attributes {
  const extras: Attributes = {};
  for (const key of REGISTRY_EXTRA) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new XRegistryError(XRegistryErrorType.invalidData, `/: "${key}" must be a string (a URL)`, { subject: '/' });
    extras[key] = value;
  }
  return extras;
}

/**
 * The registry document's own level (`PUT /`, `PATCH /`, an import): only declared attributes, a
 * `specversion` this registry speaks, and (outside a restore) the registry's own id: rc4 ids are
 * immutable, so another `registryid` is a mismatch, never a rename.
 */
function checkRegistryDocument(body: Attributes, current: RegistryRow, mode: WriteMode): void {
  rejectUnknown(body, REGISTRY_ATTRIBUTES, '/', READ_ONLY.registry);
  if (body.specversion !== undefined && body.specversion !== SPEC_VERSION) {
    throw new XRegistryError(
      XRegistryErrorType.unsupportedSpecversion,
      `specversion ${JSON.stringify(body.specversion)} is not supported; this registry speaks ${SPEC_VERSION}`,
      { subject: '/' },
    );
  }
  if (!mode.restore) checkId(body, 'registryid', current.registryid, '/');
}

/** PUT/PATCH of the registry's writable attributes (name, description, labels), with its epoch check. */
async function putRegistryAttributes(db: store.Db, body: Attributes, current: RegistryRow, patch: boolean, mode: WriteMode): Promise<void> {
  checkEpoch(body, current.epoch, '/');
  const base = { ...current.attributes, name: current.name ?? undefined, description: current.description ?? undefined, labels: current.labels };
  const merged = patch ? mergePatch(base, body) : body;
  await store.saveRegistry(db, { registryid: current.registryid, ...nextCommon(merged, current, mode, '/'), attributes: registryExtras(merged) });
}

export { checkRegistryDocument, putRegistryAttributes, registryExtras };
