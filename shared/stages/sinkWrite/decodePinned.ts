import type { Failed, PinnedRecord, SchemaPin } from '../../contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../failures/index.ts';
import type { SchemaVersionRef } from '../../routes/index.ts';
import type { SinkWriteRecord } from '../../sinks/index.ts';
import { type DecodeChecks, type DecodeDeps, decodeRecords } from '../decodeRecords.ts';

/**
 * The registry moved between validate and sink-write. Retryable: the redelivery is validated again
 * and then succeeds or fails on what the registry says now. A validate-class failure, since the
 * verdict it stands for is validate's.
 */
function registryChanged(message: string): IngestError {
  return new IngestError(Stage.validate, FailureReason.registryChanged, message, { retryable: true });
}

function samePin(pin: SchemaPin, version: SchemaVersionRef): boolean {
  return pin.numericId === version.numericId && pin.cacheKey === version.cacheKey;
}

function describePin(pin: SchemaPin): string {
  return `schema id ${pin.numericId} (${pin.cacheKey})`;
}

/**
 * Validate passed these records, so a route or writer the registry now refuses for good means it
 * changed; an outage stays what it is.
 */
const PINS_HELD: DecodeChecks<PinnedRecord> = {
  lookupFailed: (failed) =>
    failed.failure.retryable
      ? failed
      : {
          ...failed,
          failure: registryChanged(`the registry changed since validate: now ${failed.failure.reason}: ${failed.failure.message}`).toFailure(),
        },
  pinnedReader: (record, current) => (record.reader.numericId === current.numericId ? undefined : { numericId: record.reader.numericId }),
  beforeDecode: (record, reader, writer) => {
    if (!samePin(record.reader, reader)) {
      return registryChanged(`the reader version is now ${describePin(reader)}, validate decoded with ${describePin(record.reader)}`);
    }
    if (!samePin(record.writer, writer)) {
      return registryChanged(`the writer is now ${describePin(writer)}, validate decoded with ${describePin(record.writer)}`);
    }
    return undefined;
  },
};

/**
 * Sink-write's records decoded through the same code as validate, with the versions validate
 * pinned: the records the sinks take, or each one's failure (validate's reason codes, stage
 * validate; `registry_changed` when the registry no longer has the pinned versions as they were).
 */
function decodePinned(records: readonly PinnedRecord[], deps: DecodeDeps): Promise<(SinkWriteRecord | Failed)[]> {
  return decodeRecords(
    records,
    deps,
    (record, decoded): SinkWriteRecord => {
      // Same bytes and versions give the same id; anything else is not the event validate passed.
      if (decoded.eventId !== record.eventId) throw registryChanged(`the event decodes to id "${decoded.eventId}", validate found "${record.eventId}"`);
      const event = decoded.toEvent();
      return record.trackDelivery === true
        ? { id: record.id, subject: record.subject, event, trackDelivery: true }
        : { id: record.id, subject: record.subject, event };
    },
    PINS_HELD,
  );
}

export { decodePinned };
