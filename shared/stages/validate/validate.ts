import { fingerprintToHex, type Frame } from '../../avro/index.ts';
import type { RawRecord, ValidateRequest, ValidateResponse, ValidateResult } from '../../contracts/index.ts';
import { Stage } from '../../failures/index.ts';
import type { RouteLookup, SchemaVersionRef, WriterKey } from '../../routes/index.ts';
import { type DecodingRoute, decodeEvent, decodeFailure, type ResolvedDecodingRoute, resolveDecodingRoute, unframePayload } from '../decodeEvent.ts';
import type { DecoderCache } from './decoders.ts';

type ValidateDeps = {
  readonly routes: RouteLookup;
  readonly decoders: DecoderCache;
};

/** The registry key of the writer schema a frame names, or undefined for a raw body (the route's own schema). */
function writerKeyOf(frame: Frame): WriterKey | undefined {
  if (frame.schemaId !== undefined) return { numericId: frame.schemaId };
  if (frame.fingerprint !== undefined) return { fingerprint: fingerprintToHex(frame.fingerprint) };
  return undefined;
}

/** A subject that resolved is its route key's spelling, so it names the route in the memo. */
function writerMemoKey(subject: string, writer: WriterKey): string {
  return 'numericId' in writer ? `${subject}|n${writer.numericId}` : `${subject}|f${writer.fingerprint}`;
}

type Unframed =
  | {
      readonly ok: true;
      readonly record: RawRecord;
      readonly subject: ResolvedDecodingRoute;
      readonly frame: Frame;
      readonly writer: WriterKey | undefined;
    }
  | { readonly ok: false; readonly result: ValidateResult };

function decodeRecord(item: Extract<Unframed, { ok: true }>, writer: SchemaVersionRef, deps: ValidateDeps): ValidateResult {
  const { record, subject, frame } = item;
  try {
    return { id: record.id, ok: true, event: decodeEvent(deps.decoders, subject, writer, frame.body, record.publishedAtMs) };
  } catch (error) {
    return decodeFailure(record.id, error, subject);
  }
}

/**
 * Decodes every record with its route's Avro schema and reports one result per record.
 * A record that fails never affects its neighbours; only an unexpected bug throws.
 *
 * A batch nearly always carries a handful of subjects and writer schemas, so each distinct one is
 * looked up once per request (concurrently), and the records themselves are then decoded
 * synchronously: no promise, route-key parse or cache probe per record.
 */
async function runValidate(request: ValidateRequest, deps: ValidateDeps): Promise<ValidateResponse> {
  const { records } = request;
  const subjects = new Map<string, Promise<DecodingRoute>>();
  for (const record of records) {
    if (!subjects.has(record.subject)) subjects.set(record.subject, resolveDecodingRoute(record.subject, deps.routes));
  }
  const resolved = new Map<string, DecodingRoute>();
  await Promise.all([...subjects].map(async ([subject, resolution]) => resolved.set(subject, await resolution)));

  const unframed: Unframed[] = [];
  const writerLookups = new Map<string, Promise<SchemaVersionRef | { readonly error: unknown }>>();
  for (const record of records) {
    const subject = resolved.get(record.subject)!;
    if (!subject.ok) {
      unframed.push({ ok: false, result: { id: record.id, ...subject } });
      continue;
    }
    let frame: Frame;
    try {
      frame = unframePayload(subject, record.payload);
    } catch (error) {
      unframed.push({ ok: false, result: decodeFailure(record.id, error, subject) });
      continue;
    }
    const writer = writerKeyOf(frame);
    if (writer !== undefined) {
      const memo = writerMemoKey(record.subject, writer);
      if (!writerLookups.has(memo)) {
        writerLookups.set(
          memo,
          deps.routes.writer(subject.route, writer, Stage.validate).catch((error: unknown) => ({ error })),
        );
      }
    }
    unframed.push({ ok: true, record, subject, frame, writer });
  }
  const writers = new Map<string, SchemaVersionRef | { readonly error: unknown }>();
  await Promise.all([...writerLookups].map(async ([memo, lookup]) => writers.set(memo, await lookup)));

  const results = unframed.map((item): ValidateResult => {
    if (!item.ok) return item.result;
    if (item.writer === undefined) return decodeRecord(item, item.subject.route.schema, deps);
    const writer = writers.get(writerMemoKey(item.record.subject, item.writer))!;
    if ('error' in writer) return decodeFailure(item.record.id, writer.error, item.subject);
    return decodeRecord(item, writer, deps);
  });
  return { results };
}

export { runValidate };
export type { ValidateDeps };
