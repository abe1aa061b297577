import type { JsMsg } from '@nats-io/jetstream';
import type { RawRecord } from '../shared/contracts/index.ts';
import { type OriginalMessage, REPLAY_COUNT_HEADER } from '../shared/deadletters/index.ts';
import { headersToMap } from '../shared/nats/index.ts';
import { headerRequestBytes, stageHeadersOfMessage } from './stageHeaders.ts';

// What the bridge reads off a JetStream message: the record it sends to the stages, that record's
// size in an invoke request, whether it was delivered before, and the original a dead letter keeps.

/**
 * Approximate bytes a record adds to an invoke request: base64 payload, stage headers and JSON framing. The
 * payload travels to validate and again to sink-write, where the record also carries its event id
 * and two schema pins, so the framing is that of the larger, sink-write's record.
 */
function requestBytes(msg: JsMsg): number {
  return Math.ceil((msg.data.length * 4) / 3) + msg.subject.length + 384 + headerRequestBytes(msg);
}

function toRawRecord(msg: JsMsg): RawRecord {
  const data = msg.data;
  const headers = stageHeadersOfMessage(msg);
  const record = {
    id: String(msg.seq),
    subject: msg.subject,
    // A view over the message's bytes, not a copy (Buffer.from(Uint8Array) copies): base64 reads them once.
    payload: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    // The timestamp is already parsed with the delivery info; msg.time would build a Date from it.
    publishedAtMs: Math.floor(msg.info.timestampNanos / 1_000_000),
  };
  return headers === undefined ? record : { ...record, headers };
}

/**
 * Whether the batch's record with this id was delivered before: a redelivery, or a dead-letter
 * replay. Headers are parsed only when asked, for the few fan-out records a first delivery could be a replay of.
 */
function redeliveredIn(batch: readonly JsMsg[]): (id: string) => boolean {
  const bySeq = new Map(batch.map((msg) => [String(msg.seq), msg]));
  return (id) => {
    const msg = bySeq.get(id);
    return msg !== undefined && (msg.info.deliveryCount > 1 || msg.headers?.has(REPLAY_COUNT_HEADER) === true);
  };
}

function originalMessage(msg: JsMsg): OriginalMessage {
  return {
    subject: msg.subject,
    headers: headersToMap(msg.headers),
    data: msg.data,
    stream: msg.info.stream,
    seq: msg.seq,
    time: msg.time,
    deliveries: msg.info.deliveryCount,
  };
}

export { originalMessage, redeliveredIn, requestBytes, toRawRecord };
