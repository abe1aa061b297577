import { type JsonValue, type SchemaCache, decodeAvro, toJsonValue } from '../../shared/avro/index.ts';
import type { RawRecord, ValidateRequest, ValidateResponse, ValidateResult } from '../../shared/contracts/index.ts';
import { FailureReason, IngestError, Stage } from '../../shared/failures/index.ts';
import { type RouteLookup, formatRouteKey, routeKeyFromSubject } from '../../shared/registry/index.ts';

type ValidateDeps = {
  readonly routes: RouteLookup;
  readonly schemas: SchemaCache;
};

const AVRO_FORMAT = /^avro(\/|$)/i;

function fail(id: string, error: unknown, deadLetterSubject?: string, routeKey?: string): ValidateResult {
  if (error instanceof IngestError) return { id, ok: false, failure: error.toFailure(), deadLetterSubject, routeKey };
  throw error;
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
    const type = deps.schemas.get(`${formatRouteKey(key)}@${route.epoch}`, route.schema.definition);
    const decoded = decodeAvro(type, Buffer.from(record.payload, 'base64'));
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
