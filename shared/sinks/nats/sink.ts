import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as createHeaders, type NatsConnection } from '@nats-io/nats-core';
import type { SinkWriteRecord, SinkWriteResult } from '../records.ts';
import type { IngestError } from '../../failures/index.ts';
import type { NatsSinkTarget } from '../types.ts';
import { SinkTargetMissingError, SinkTargetRefusedError, SinkUnavailableError } from '../errors.ts';
import { loopProblem } from './target.ts';
import type { Sink } from '../types.ts';

type NatsSinkOptions = {
  /** Opens the connection; called on first use and again after a connection is lost. */
  readonly connect: () => Promise<NatsConnection>;
  /** The deployment's stream filters: a target inside them would loop or pollute dead letters. */
  readonly ingestSubjects: readonly string[];
  readonly deadLetterSubjects: readonly string[];
  readonly publishTimeoutMs: number;
};

type Clients = { readonly nc: NatsConnection; readonly js: JetStreamClient; readonly jsm: JetStreamManager };

/** Whether JetStream says no stream matches a subject (as opposed to JetStream itself not answering). */
function isNoStream(error: unknown): boolean {
  return error instanceof Error && /no stream matches subject/i.test(error.message);
}

/**
 * Republishes each validated event, as JSON (the decoded event), to the target subject with
 * JetStream, `Nats-Msg-Id` = event id: the target stream drops a repeat inside its duplicate window
 * and the ack means the event is stored. A subject no stream captures is a permanent failure.
 */
function createNatsSubjectSink(options: NatsSinkOptions): Sink<NatsSinkTarget> {
  // One connection per process, opened lazily and reused across invocations; a failed or closed
  // one is dropped so the next write opens a new one.
  let clients: Promise<Clients> | undefined;

  async function open(): Promise<Clients> {
    const nc = await options.connect();
    // connectNats reconnects forever, so `closed` means someone closed it: open a new one next time.
    void nc.closed().then(() => {
      clients = undefined;
    });
    // checkAPI off: whether JetStream answers is learnt from the publishes themselves.
    const jsm = await jetstreamManager(nc, { timeout: options.publishTimeoutMs, checkAPI: false });
    return { nc, js: jetstream(nc, { timeout: options.publishTimeoutMs }), jsm };
  }

  function connected(): Promise<Clients> {
    clients ??= open().catch((error: unknown) => {
      clients = undefined;
      throw new SinkUnavailableError(`NATS unavailable: ${(error as Error).message}`, { cause: error });
    });
    return clients;
  }

  /** After a publish that no one answered: is there no stream at all (permanent), or is JetStream unavailable? */
  async function missingStream(jsm: JetStreamManager, subject: string): Promise<IngestError> {
    try {
      await jsm.streams.find(subject);
      return new SinkUnavailableError(`JetStream did not answer a publish to ${subject}`);
    } catch (error) {
      if (isNoStream(error)) return new SinkTargetMissingError(`no stream captures subject ${subject}`, { cause: error });
      return new SinkUnavailableError(`JetStream unavailable: ${(error as Error).message}`, { cause: error });
    }
  }

  async function publishOne(all: Clients, subject: string, record: SinkWriteRecord, noStream: () => Promise<IngestError>): Promise<SinkWriteResult> {
    const headers = createHeaders();
    headers.set('Content-Type', 'application/json');
    // Where the event was ingested from, for consumers that need more than the event itself.
    headers.set('Ingest-Subject', record.subject);
    try {
      const ack = await all.js.publish(subject, JSON.stringify(record.event.body), { msgID: record.event.eventId, headers });
      return { id: record.id, ok: true, duplicate: ack.duplicate };
    } catch (error) {
      // nats.js reports "no responders" to a JetStream publish as JetStreamNotEnabled: either no
      // stream captures the subject, or JetStream is down. Everything else (timeouts, a lost
      // connection, a full stream) may pass.
      const failure =
        (error as Error).name === 'JetStreamNotEnabled'
          ? await noStream()
          : new SinkUnavailableError(`publish to ${subject} failed: ${(error as Error).message}`, { cause: error });
      return { id: record.id, ok: false, failure: failure.toFailure() };
    }
  }

  return {
    kind: 'nats',
    async write(target, records) {
      const loop = loopProblem(target.subject, { ingest: options.ingestSubjects, deadLetter: options.deadLetterSubjects });
      if (loop !== undefined) throw new SinkTargetRefusedError(loop);
      const all = await connected();
      // Asked at most once per batch, and only when a publish found no responder.
      let verdict: Promise<IngestError> | undefined;
      const noStream = (): Promise<IngestError> => (verdict ??= missingStream(all.jsm, target.subject));
      return Promise.all(records.map((record) => publishOne(all, target.subject, record, noStream)));
    },
  };
}

export { createNatsSubjectSink };
export type { NatsSinkOptions };
