import type { DeadLetter } from '../../deadletters/index.ts';
import type { HeaderMap } from '../../nats/index.ts';
import { spanContextOf } from '../../telemetry/index.ts';
import { letterContext } from '../dlqReplay/republish.ts';

/**
 * The W3C trace id of a letter's trace: the letter's own `traceparent` (the bridge's dead-letter
 * span), else the original headers' `traceparent` — the same context a replay continues
 * (letterContext). Malformed or all-zero values count as none (the W3C propagator checks them);
 * null when neither names a trace.
 */
function letterTraceId(letter: DeadLetter, originalHeaders: HeaderMap): string | null {
  return spanContextOf(letterContext(letter, originalHeaders))?.traceId ?? null;
}

export { letterTraceId };
