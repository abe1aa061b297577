import type { LookupAddress } from 'node:dns';
import type { HttpSinkConfig } from '../../config/index.ts';
import type { SinkWriteRecord, SinkWriteResult } from '../records.ts';
import { IngestError } from '../../failures/index.ts';
import type { HttpSinkTarget } from '../types.ts';
import { SinkTargetRefusedError } from '../errors.ts';
import { effectivePort, isHostAllowed } from '../../names/index.ts';
import { batchIdempotencyKey } from './idempotency.ts';
import { createAgents, post, resolveChecked, type Agents } from './request.ts';
import { DATA_STATUSES, failureFor } from './response.ts';
import type { Sink } from '../types.ts';

/** Requests in flight at once for one group (event mode, or a batch split to isolate a bad event). */
const CONCURRENCY = 8;

/** A POST's result for the events it carried. */
type Sent = { readonly ok: true } | { readonly ok: false; readonly error: IngestError; readonly status: number | undefined };

type Destination = { readonly url: URL; readonly addresses: readonly LookupAddress[]; readonly timeoutMs: number; readonly headers: Record<string, string> };

/** The first record of each event id: a repeat inside one group is sent once and reported as a duplicate. */
function firstPerEvent(records: readonly SinkWriteRecord[]): SinkWriteRecord[] {
  const seen = new Map<string, SinkWriteRecord>();
  for (const record of records) if (!seen.has(record.event.eventId)) seen.set(record.event.eventId, record);
  return [...seen.values()];
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Results for every record from the outcome of its event id. */
function resultsFor(records: readonly SinkWriteRecord[], outcomes: ReadonlyMap<string, Sent>): SinkWriteResult[] {
  const answered = new Set<string>();
  return records.map((record) => {
    const id = record.event.eventId;
    const outcome = outcomes.get(id)!;
    const repeat = answered.has(id);
    answered.add(id);
    return outcome.ok ? { id: record.id, ok: true, duplicate: repeat } : { id: record.id, ok: false, failure: outcome.error.toFailure() };
  });
}

/**
 * POSTs events as JSON to an endpoint on the allow-list. Batch mode sends `{"events": [...]}` with
 * an Idempotency-Key over the batch's event ids; event mode sends each event on its own with its
 * event id as the key. 2xx = stored; 429, 408, 425, 5xx, timeouts and connection errors are
 * retryable; other answers are permanent and carry the status and the first 500 bytes of the body.
 */
function createHttpSink(config: HttpSinkConfig): Sink<HttpSinkTarget> {
  const agents: Agents = createAgents();

  function authHeaders(url: URL): Record<string, string> {
    const header = config.authHeaderFor(url.host) ?? config.authHeaderFor(`${url.hostname}:${effectivePort(url)}`);
    return header === undefined ? {} : { [header.name]: header.value() };
  }

  /** Checks the target against the policy (allow-list, then the addresses it resolves to) before anything is sent. */
  async function destination(target: HttpSinkTarget): Promise<Destination> {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch (error) {
      throw new SinkTargetRefusedError(`"${target.url}" is not a URL`, { cause: error });
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
      throw new SinkTargetRefusedError(`refusing URL ${url.origin}: http(s) without credentials only`);
    }
    if (!isHostAllowed(url, config.allowedHosts)) {
      throw new SinkTargetRefusedError(`host ${url.host} is not in HTTP_SINK_ALLOWED_HOSTS`);
    }
    const timeoutMs = target.timeoutms ?? config.timeoutMs;
    const addresses = await resolveChecked(url.hostname, config.allowPrivateNetworks, timeoutMs);
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, */*;q=0.5',
      'user-agent': 'ingest-plane-sink-write',
      ...authHeaders(url),
    };
    return { url, addresses, timeoutMs, headers };
  }

  async function send(to: Destination, body: unknown, idempotencyKey: string): Promise<Sent> {
    try {
      const outcome = await post({
        url: to.url,
        body: JSON.stringify(body),
        headers: { ...to.headers, 'idempotency-key': idempotencyKey },
        addresses: to.addresses,
        timeoutMs: to.timeoutMs,
        agents,
      });
      const error = failureFor(outcome, to.url.host);
      return error === undefined ? { ok: true } : { ok: false, error, status: outcome.status };
    } catch (error) {
      if (error instanceof IngestError) return { ok: false, error, status: undefined };
      throw error;
    }
  }

  async function sendEach(
    to: Destination,
    events: readonly SinkWriteRecord[],
    wrap: (record: SinkWriteRecord) => unknown,
    key: (record: SinkWriteRecord) => string,
  ): Promise<Map<string, Sent>> {
    const sent = await mapLimited(events, CONCURRENCY, (record) => send(to, wrap(record), key(record)));
    return new Map(events.map((record, index) => [record.event.eventId, sent[index]!]));
  }

  async function writeBatch(to: Destination, events: readonly SinkWriteRecord[]): Promise<Map<string, Sent>> {
    const ids = events.map((record) => record.event.eventId);
    const sent = await send(to, { events: events.map((record) => record.event.body) }, batchIdempotencyKey(ids));
    // A batch refused for its data (400, 413, 422) is sent again one event per request, so only
    // the events the endpoint really refuses fail; each keeps the batch body shape.
    if (!sent.ok && sent.status !== undefined && DATA_STATUSES.has(sent.status) && events.length > 1) {
      return sendEach(
        to,
        events,
        (record) => ({ events: [record.event.body] }),
        (record) => batchIdempotencyKey([record.event.eventId]),
      );
    }
    return new Map(ids.map((id) => [id, sent]));
  }

  return {
    kind: 'http',
    async write(target, records) {
      const to = await destination(target);
      const events = firstPerEvent(records);
      const outcomes =
        target.mode === 'batch'
          ? await writeBatch(to, events)
          : await sendEach(
              to,
              events,
              (record) => record.event.body,
              (record) => record.event.eventId,
            );
      return resultsFor(records, outcomes);
    },
  };
}

export { createHttpSink };
