import type { RecordFailure } from '../failures/index.ts';
import { formatRouteKey, type RouteKey } from '../names/index.ts';
import type { HeaderMap } from '../nats/index.ts';
import type { TraceFields } from '../telemetry/index.ts';
import { letterId } from './ids.ts';
import type { DeadLetter, OriginalMessage } from './types.ts';

/** Header dlq-replay sets on a re-driven message, so a repeat failure keeps counting. */
const REPLAY_COUNT_HEADER = 'Ingest-Replay-Count';

class NotADeadLetterError extends Error {
  constructor(detail: string) {
    super(`not a dead letter: ${detail}`);
    this.name = 'NotADeadLetterError';
  }
}

function replayCountOf(headers: HeaderMap): number {
  const replayed = Number(headers[REPLAY_COUNT_HEADER]?.[0] ?? 0);
  return Number.isInteger(replayed) && replayed >= 0 ? replayed : 0;
}

/** A dead letter carrying the original inline; the writer moves the original out of line when it would not fit. */
function buildDeadLetter(
  original: OriginalMessage,
  failure: RecordFailure,
  context: { routeKey: RouteKey | null; eventId: string | null; firstFailedAt?: Date; now?: Date; trace?: TraceFields },
): DeadLetter {
  const now = context.now ?? new Date();
  return {
    version: 2,
    id: letterId(original.stream, original.seq),
    subject: original.subject,
    headers: original.headers,
    payload: Buffer.from(original.data.buffer, original.data.byteOffset, original.data.byteLength).toString('base64'),
    stream: original.stream,
    streamSequence: original.seq,
    publishedAt: original.time.toISOString(),
    stage: failure.stage,
    reason: failure.reason,
    message: failure.message,
    attempts: original.deliveries,
    firstFailedAt: (context.firstFailedAt ?? now).toISOString(),
    lastFailedAt: now.toISOString(),
    replayCount: replayCountOf(original.headers),
    // Stored as its `type.version` spelling, as letters always were.
    routeKey: formatRouteKey(context.routeKey),
    eventId: context.eventId,
    ...(failure.sinks === undefined ? {} : { sinks: failure.sinks }),
    ...context.trace,
  };
}

function encodeDeadLetter(letter: DeadLetter): Buffer {
  return Buffer.from(JSON.stringify(letter));
}

type Json = Record<string, unknown>;

/**
 * Reads a stored dead letter. Version 1 letters (written before stable ids) are read as version 2:
 * their id is derived from the original stream and sequence, and their one failure time
 * (`failedAt`, which dlq-replay moved on every rewrite) becomes the last failure time.
 */
function decodeDeadLetter(data: Uint8Array): DeadLetter {
  let parsed: Json;
  try {
    parsed = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Json;
  } catch {
    throw new NotADeadLetterError('not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new NotADeadLetterError('not an object');
  const { version, subject, stream, streamSequence } = parsed;
  if (typeof subject !== 'string' || typeof stream !== 'string' || typeof streamSequence !== 'number') {
    throw new NotADeadLetterError('subject, stream or streamSequence missing');
  }
  if (version === 1) {
    const { failedAt, ...rest } = parsed;
    if (typeof parsed.payload !== 'string') throw new NotADeadLetterError('version 1 without a payload');
    return { ...rest, version: 2, id: letterId(stream, streamSequence), lastFailedAt: failedAt } as DeadLetter;
  }
  if (version !== 2) throw new NotADeadLetterError(`unknown version ${String(version)}`);
  if (typeof parsed.id !== 'string' || (typeof parsed.payload !== 'string' && typeof parsed.stored !== 'object')) {
    throw new NotADeadLetterError('version 2 without an id, or without a payload or stored original');
  }
  return parsed as DeadLetter;
}

export { buildDeadLetter, decodeDeadLetter, encodeDeadLetter, NotADeadLetterError, REPLAY_COUNT_HEADER };
