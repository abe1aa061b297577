import type { SchemaPin, ValidateRequest, ValidateResponse } from '../../contracts/index.ts';
import type { SchemaVersionRef } from '../../routes/index.ts';
import { type DecodeDeps, decodeRecords } from '../decodeRecords.ts';

type ValidateDeps = DecodeDeps;

/**
 * Decodes every record with its route's Avro schema and answers each with a verdict: ok with the
 * event id and the reader and writer versions it decoded with, or a failure. The decoded event
 * stays here; sink-write decodes the same bytes with the pinned versions.
 */
async function runValidate(request: ValidateRequest, deps: ValidateDeps): Promise<ValidateResponse> {
  // A batch has a handful of versions: one pin object each, shared by the verdicts.
  const pins = new Map<SchemaVersionRef, SchemaPin>();
  const pinOf = (version: SchemaVersionRef): SchemaPin => {
    let pin = pins.get(version);
    if (pin === undefined) {
      pin = { numericId: version.numericId, cacheKey: version.cacheKey };
      pins.set(version, pin);
    }
    return pin;
  };
  const results = await decodeRecords(request.records, deps, (record, decoded, reader, writer) => ({
    id: record.id,
    ok: true as const,
    eventId: decoded.eventId,
    reader: pinOf(reader),
    writer: pinOf(writer),
  }));
  return { results };
}

export { runValidate };
export type { ValidateDeps };
