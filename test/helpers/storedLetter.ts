import type { DeadLetter, StoredLetter } from '../../shared/deadletters/index.ts';

/** A dead letter of the ingest stream at `seq` (an unknown route, failed once), as the dead-letter store returns it. */
function storedLetter(seq: number, overrides: Partial<DeadLetter> = {}): StoredLetter {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    seq,
    subject: 'dlq.a.b.v1',
    letter: {
      version: 2,
      id: `INGEST:${seq}`,
      subject: 'a.b.v1',
      headers: {},
      payload: '',
      stream: 'INGEST',
      streamSequence: seq,
      publishedAt: at,
      stage: 'route',
      reason: 'unknown_route',
      message: 'no route',
      attempts: 1,
      firstFailedAt: at,
      lastFailedAt: at,
      replayCount: 0,
      routeKey: 'a.b.v1',
      eventId: `e${seq}`,
      ...overrides,
    },
  };
}

export { storedLetter };
