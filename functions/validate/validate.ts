import { fingerprintToHex, type JsonValue, toJsonValue, unframe, WIRE_FORMATS, type WireFormat } from '../../shared/avro/index.ts';
import type { RawRecord, ValidateRequest, ValidateResponse, ValidateResult } from '../../shared/contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';
import { type RouteLookup, type RouteRecord, formatRouteKey, routeKeyFromSubject, type SchemaVersionRef } from '../../shared/registry/index.ts';
import type { DecoderCache } from './decoders.ts';

type ValidateDeps = {
  readonly routes: RouteLookup;
  readonly decoders: DecoderCache;
};

const AVRO_FORMAT = /^avro(\/|$)/i;

function fail(id: string, error: unknown, deadLetterSubject?: string, routeKey?: string): ValidateResult {
  if (error instanceof IngestError) return { id, ok: false, failure: error.toFailure(), deadLetterSubject, routeKey };
  throw error;
}

function wireFormatOf(route: RouteRecord): WireFormat {
  if ((WIRE_FORMATS as readonly string[]).includes(route.wireFormat)) return route.wireFormat as WireFormat;
  throw new IngestError(Stage.validate, FailureReason.invalidFrame, `route ${formatRouteKey(route.key)} declares unknown wire format "${route.wireFormat}"`, {
    retryable: false,
  });
}

/** The schema the producer wrote with: named by the frame, or the route's own for raw bodies. */
function writerOf(route: RouteRecord, frame: { schemaId?: number; fingerprint?: bigint }, deps: ValidateDeps): Promise<SchemaVersionRef> | SchemaVersionRef {
  if (frame.schemaId !== undefined) return deps.routes.writer(route, { numericId: frame.schemaId }, Stage.validate);
  if (frame.fingerprint !== undefined) return deps.routes.writer(route, { fingerprint: fingerprintToHex(frame.fingerprint) }, Stage.validate);
  return route.schema;
}

async function validateRecord(record: RawRecord, deps: ValidateDeps): Promise<ValidateResult> {
  let deadLetterSubject: string | undefined;
  let routeKey: string | undefined;
  try {
    const key = routeKeyFromSubject(record.subject, Stage.validate);
    routeKey = formatRouteKey(key);
    const route = await deps.routes.require(key, Stage.validate);
    deadLetterSubject = route.deadLetterSubject;
    if (!AVRO_FORMAT.test(route.schema.format)) {
      throw new IngestError(
        Stage.validate,
        FailureReason.unsupportedSchemaFormat,
        `route ${formatRouteKey(key)} declares schema format "${route.schema.format}"; only Avro is supported`,
        { retryable: false },
      );
    }
    const wireFormat = wireFormatOf(route);
    const frame = unframe(wireFormat, Buffer.from(record.payload, 'base64'));
    const writer = await writerOf(route, frame, deps);
    const decoded = deps.decoders.get(route.schema, writer)(frame.body);
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
        routeKey: key,
        time: typeof body.time === 'string' ? body.time : record.publishedAt,
        source: typeof body.source === 'string' ? body.source : null,
        body,
      },
    };
  } catch (error) {
    return fail(record.id, error, deadLetterSubject, routeKey);
  }
}

/**
 * Decodes every record with its route's Avro schema and reports one result per record.
 * A record that fails never affects its neighbours; only an unexpected bug throws.
 */
async function runValidate(request: ValidateRequest, deps: ValidateDeps): Promise<ValidateResponse> {
  const results = await Promise.all(request.records.map((record) => validateRecord(record, deps)));
  return { results };
}

export { runValidate };
export type { ValidateDeps };
