import { fingerprintToHex, type Frame } from '../avro/index.ts';
import type { Failed, RawRecord } from '../contracts/index.ts';
import { type IngestError, Stage } from '../failures/index.ts';
import type { RouteLookup, SchemaVersionRef, WriterKey } from '../routes/index.ts';
import {
  type DecodedEvent,
  type DecodingRoute,
  decodeEvent,
  decodeFailure,
  type ResolvedDecodingRoute,
  resolveDecodingRoute,
  unframePayload,
} from './decodeEvent.ts';
import type { ReadCloudEvent } from './eventEnvelope.ts';
import type { DecoderCache } from './validate/decoders.ts';

type DecodeDeps = {
  readonly routes: RouteLookup;
  readonly decoders: DecoderCache;
};

/** What one stage makes of a record that decoded: its answer, or a failure. */
type Answer<R, T> = (record: R, decoded: DecodedEvent, reader: SchemaVersionRef, writer: SchemaVersionRef) => T | Failed;

/** How a stage that decodes again (sink-write) holds the registry's answers to what validate found earlier. */
type DecodeChecks<R> = {
  /** A route or writer lookup failed: the failure to answer instead. */
  readonly lookupFailed: (failed: Failed) => Failed;
  /**
   * The reader version to decode into when it is not the route's current one (sink-write holds
   * validate's choice, even when the route's default version moved in between); undefined = the
   * route's own.
   */
  readonly pinnedReader?: (record: R, route: SchemaVersionRef) => WriterKey | undefined;
  /** The reader and writer are known, nothing is decoded yet: an error fails the record instead of decoding it. */
  readonly beforeDecode: (record: R, reader: SchemaVersionRef, writer: SchemaVersionRef) => IngestError | undefined;
};

/** The registry key of the writer schema a frame names, or undefined for a raw body (the route's own schema). */
function writerKeyOf(frame: Frame): WriterKey | undefined {
  if (frame.schemaId !== undefined) return { numericId: frame.schemaId };
  if (frame.fingerprint !== undefined) return { fingerprint: fingerprintToHex(frame.fingerprint) };
  return undefined;
}

/** A subject that resolved is its route key's spelling, so it names the route in the memo. */
function versionMemoKey(subject: string, version: WriterKey): string {
  return 'numericId' in version ? `${subject}|n${version.numericId}` : `${subject}|f${version.fingerprint}`;
}

type VersionLookup = SchemaVersionRef | { readonly error: unknown };

type Unframed<R> = {
  readonly record: R;
  readonly subject: ResolvedDecodingRoute;
  readonly frame: Frame;
  readonly cloudEvent: ReadCloudEvent | undefined;
  readonly writer: WriterKey | undefined;
  readonly reader: WriterKey | undefined;
};

/**
 * Decodes records as the registry says now, one answer per record, in order: the subject's route
 * and wire format, the writer the frame names (by numeric id or fingerprint; a raw body's writer is
 * the route's own schema), then the body, resolved into the reader schema. A record that fails
 * never affects its neighbours; only an unexpected bug throws. Validate and sink-write both decode
 * through here, so the same bytes and versions cannot give them different events.
 *
 * A batch nearly always carries a handful of subjects and writer schemas, so each distinct one is
 * looked up once per call (concurrently), and the records themselves are then decoded
 * synchronously: no promise, route-key parse or cache probe per record.
 */
async function decodeRecords<R extends RawRecord, T>(
  records: readonly R[],
  deps: DecodeDeps,
  answer: Answer<R, T>,
  checks?: DecodeChecks<R>,
): Promise<(T | Failed)[]> {
  const lookupFailed = checks?.lookupFailed ?? ((failed: Failed): Failed => failed);
  const subjects = new Map<string, Promise<DecodingRoute>>();
  for (const record of records) {
    if (!subjects.has(record.subject)) subjects.set(record.subject, resolveDecodingRoute(record.subject, deps.routes));
  }
  const resolved = new Map<string, DecodingRoute>();
  await Promise.all([...subjects].map(async ([subject, resolution]) => resolved.set(subject, await resolution)));

  const unframed: (Unframed<R> | Failed)[] = [];
  // Writers a frame names and readers sink-write pins: versions of the route's schema, each looked up once.
  const versionLookups = new Map<string, Promise<VersionLookup>>();
  for (const record of records) {
    const subject = resolved.get(record.subject)!;
    if (!subject.ok) {
      unframed.push(lookupFailed({ id: record.id, ...subject }));
      continue;
    }
    let frame: Frame;
    let cloudEvent: ReadCloudEvent | undefined;
    try {
      ({ frame, cloudEvent } = unframePayload(subject, record.payload, record.headers));
    } catch (error) {
      unframed.push(decodeFailure(record.id, error, subject));
      continue;
    }
    const writer = writerKeyOf(frame);
    const reader = checks?.pinnedReader?.(record, subject.route.schema);
    for (const key of [writer, reader]) {
      if (key === undefined) continue;
      const memo = versionMemoKey(record.subject, key);
      if (!versionLookups.has(memo)) {
        versionLookups.set(
          memo,
          deps.routes.writer(subject.route, key, Stage.validate).catch((error: unknown) => ({ error })),
        );
      }
    }
    unframed.push({ record, subject, frame, cloudEvent, writer, reader });
  }
  const versions = new Map<string, VersionLookup>();
  await Promise.all([...versionLookups].map(async ([memo, lookup]) => versions.set(memo, await lookup)));
  /** The version a key names, or `otherwise` when the record names none. */
  const versionOf = (subject: string, key: WriterKey | undefined, otherwise: SchemaVersionRef): VersionLookup =>
    key === undefined ? otherwise : versions.get(versionMemoKey(subject, key))!;

  return unframed.map((item): T | Failed => {
    if ('ok' in item) return item;
    const { record, subject, frame, cloudEvent } = item;
    const reader = versionOf(record.subject, item.reader, subject.route.schema);
    if ('error' in reader) return lookupFailed(decodeFailure(record.id, reader.error, subject));
    // A raw body names no writer: it was written with the reader's schema.
    const writer = versionOf(record.subject, item.writer, reader);
    if ('error' in writer) return lookupFailed(decodeFailure(record.id, writer.error, subject));
    try {
      const refused = checks?.beforeDecode(record, reader, writer);
      if (refused !== undefined) throw refused;
      return answer(record, decodeEvent(deps.decoders, subject, reader, writer, frame.body, record.publishedAtMs, cloudEvent), reader, writer);
    } catch (error) {
      return decodeFailure(record.id, error, subject);
    }
  });
}

export { decodeRecords };
export type { DecodeChecks, DecodeDeps };
