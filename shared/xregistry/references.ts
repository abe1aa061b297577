import { matchSchemaXid, type SchemaReference } from '../names/index.ts';
import { XRegistryError, XRegistryErrorType } from './errors.ts';

/** Parses a `dataschemaxid` a client sent; anything but a schema or version reference is a 400. */
function parseSchemaXid(xid: string): SchemaReference {
  const reference = matchSchemaXid(xid);
  if (reference === undefined) {
    throw new XRegistryError(XRegistryErrorType.invalidData, `dataschemaxid "${xid}" must be /schemagroups/<group>/schemas/<schema>[/versions/<version>]`);
  }
  return reference;
}

export { parseSchemaXid };
