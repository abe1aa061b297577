import { isPublishSubject, subjectMatches } from '../../names/index.ts';
import type { NatsSinkTarget } from '../types.ts';
import { type Json, type StoreChecks, unknownAttributeProblem } from '../targetChecks.ts';

const NATS_TARGET_ATTRIBUTES = ['kind', 'subject'] as const;

/** Why events must not be republished to `subject` in a deployment with these streams, if they must not. */
function loopProblem(subject: string, streams: StoreChecks['streams']): string | undefined {
  const ingest = streams.ingest.find((filter) => subjectMatches(filter, subject));
  // The bridge would consume the republished event again, and republish it again, forever.
  if (ingest !== undefined) return `ingestion.sink.subject ${subject} is captured by the ingest stream (${ingest}): that would be a loop`;
  const deadLetter = streams.deadLetter.find((filter) => subjectMatches(filter, subject));
  if (deadLetter !== undefined) return `ingestion.sink.subject ${subject} is captured by the dead-letter stream (${deadLetter})`;
  return undefined;
}

/** `{kind: "nats", subject}`, or what is wrong with it. */
function parseNatsTarget(value: Json, store: StoreChecks | undefined): NatsSinkTarget | string {
  const unknown = unknownAttributeProblem(value, NATS_TARGET_ATTRIBUTES);
  if (unknown !== undefined) return unknown;
  const { subject } = value;
  if (typeof subject !== 'string' || !isPublishSubject(subject)) return 'ingestion.sink.subject must be a NATS subject without wildcards';
  // $JS.API.…, $SYS.…, _INBOX.…: server and client machinery, never a place for events.
  if (subject.startsWith('$') || subject.startsWith('_INBOX.')) return `ingestion.sink.subject ${subject} is a system subject`;
  if (store !== undefined) {
    const loop = loopProblem(subject, store.streams);
    if (loop !== undefined) return loop;
  }
  return { kind: 'nats', subject };
}

export { loopProblem, NATS_TARGET_ATTRIBUTES, parseNatsTarget };
