import { fingerprintToHex, type Frame, type JsonValue, toJsonValue, unframe, WIRE_FORMATS, type WireFormat } from '../../avro/index.ts';
import type { RawRecord, ValidateRequest, ValidateResponse, ValidateResult } from '../../contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../failures/index.ts';
import type { RouteLookup, RouteRecord, SchemaVersionRef, WriterKey } from '../../routes/index.ts';
import { formatRouteKey, type RouteKey } from '../../names/index.ts';
import { type ResolvedRoute, resolveRoute } from '../resolveRoute.ts';
import type { DecoderCache } from './decoders.ts';

type ValidateDeps = {
  readonly routes: RouteLookup;
  readonly decoders: DecoderCache;
};

const AVRO_FORMAT = /^avro(\/|$)/i;

function fail(id: string, error: unknown, deadLetterSubject?: string, routeKey?: RouteKey): ValidateResult {
  if (error instanceof IngestError) return { id, ok: false, failure: error.toFailure(), deadLetterSubject, routeKey };
  throw error;
}

/** The wire format of an Avro route's records; a route with another schema format or an unknown wire format cannot be validated. */
function wireFormatOf(route: RouteRecord, routeKey: RouteKey): WireFormat {
  if (!AVRO_FORMAT.test(route.schema.format)) {
    throw new IngestError(
      Stage.validate,
      FailureReason.unsupportedSchemaFormat,
      `route ${formatRouteKey(routeKey)} declares schema format "${route.schema.format}"; only Avro is supported`,
      { retryable: false },
    );
  }
  if ((WIRE_FORMATS as readonly string[]).includes(route.wireFormat)) return route.wireFormat as WireFormat;
  throw new IngestError(Stage.validate, FailureReason.invalidFrame, `route ${formatRouteKey(routeKey)} declares unknown wire format "${route.wireFormat}"`, {
    retryable: false,
  });
}

/** What a subject resolves to, once per request: its route and wire format, or the failure every record on it gets. */
type SubjectResolution = ResolvedRoute<WireFormat>;

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
      readonly subject: Extract<SubjectResolution, { ok: true }>;
      readonly frame: Frame;
      readonly writer: WriterKey | undefined;
    }
  | { readonly ok: false; readonly result: ValidateResult };

function decodeRecord(item: Extract<Unframed, { ok: true }>, writer: SchemaVersionRef, deps: ValidateDeps): ValidateResult {
  const { record, subject, frame } = item;
  try {
    const decoded = deps.decoders.get(subject.route.schema, writer)(frame.body);
    const body = toJsonValue(decoded) as { [key: string]: JsonValue };
    const eventId = body.id;
    if (typeof eventId !== 'string' || eventId.trim() === '') {
      throw new IngestError(Stage.validate, FailureReason.missingEventId, 'event has an empty "id"', { retryable: false });
    }
    return {
      id: record.id,
      ok: true,
      event: {
        eventId,
        routeKey: subject.routeKey,
        time: typeof body.time === 'string' ? body.time : new Date(record.publishedAtMs).toISOString(),
        source: typeof body.source === 'string' ? body.source : null,
        body,
      },
    };
  } catch (error) {
    return fail(record.id, error, subject.route.deadLetterSubject, subject.routeKey);
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
  const subjects = new Map<string, Promise<SubjectResolution>>();
  for (const record of records) {
    if (!subjects.has(record.subject)) subjects.set(record.subject, resolveRoute(record.subject, Stage.validate, deps.routes, wireFormatOf));
  }
  const resolved = new Map<string, SubjectResolution>();
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
      frame = unframe(subject.accepted, Buffer.from(record.payload, 'base64'));
    } catch (error) {
      unframed.push({ ok: false, result: fail(record.id, error, subject.route.deadLetterSubject, subject.routeKey) });
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
    if ('error' in writer) return fail(item.record.id, writer.error, item.subject.route.deadLetterSubject, item.subject.routeKey);
    return decodeRecord(item, writer, deps);
  });
  return { results };
}

export { runValidate };
export type { ValidateDeps };
