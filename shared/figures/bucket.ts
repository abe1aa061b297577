import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { nanos } from '@nats-io/nats-core';
import type { NatsConnection } from '../nats/index.ts';
import { FiguresDocumentError, parseReplicaFigures } from './parse.ts';
import { KEY_PREFIX, replicaKey } from './replicaId.ts';
import type { ReplicaFigures } from './types.ts';

/** A key expires this long after its replica's last publish, at least; dead replicas vanish on their own. */
const MIN_TTL_MS = 60_000;
const TTL_INTERVALS = 6;

/** The bucket's max age for replicas publishing every `intervalMs`: a few missed publishes never blank a live replica. */
function figuresTtlMs(intervalMs: number): number {
  return Math.max(MIN_TTL_MS, TTL_INTERVALS * intervalMs);
}

type FiguresBucketOptions = {
  /** The KV bucket (FIGURES_BUCKET). */
  readonly bucket: string;
  /** The bucket's max age (figuresTtlMs): set when `put` creates the bucket, and restored when it differs. */
  readonly ttlMs: number;
};

/** Every replica's document that could be read, and what could not, said plainly. */
type FiguresRead = {
  readonly replicas: readonly ReplicaFigures[];
  readonly problems: readonly string[];
};

type FiguresBucket = {
  readonly bucket: string;
  /** Writes a replica's document under `replica.<id>`, creating the bucket first when it is missing (also when it was deleted since). */
  put(figures: ReplicaFigures): Promise<void>;
  /** Every replica's latest document; a missing bucket or an unreadable value is a problem in the answer, not a rejection. */
  readAll(): Promise<FiguresRead>;
};

function isStreamMissing(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

/**
 * The figures bucket, as the bridge writes it and the console reads it. Only what nats-server 2.9
 * has: one stream `KV_<bucket>` with history 1 and a max age (no per-message TTL, no limit
 * markers: those are 2.11), direct gets (2.9) when the server offers them.
 */
function openFiguresBucket(nc: NatsConnection, options: FiguresBucketOptions): FiguresBucket {
  const { bucket, ttlMs } = options;
  const kvm = new Kvm(nc);
  let writable: Promise<KV> | undefined;

  async function createBucket(): Promise<KV> {
    const kv = await kvm.create(bucket, { history: 1, ttl: ttlMs, description: 'figures of the bridge replicas, one key each (replica.<id>)' });
    // `create` opens a bucket that exists as it is: a bucket made for another interval gets this one's max age.
    const jsm = await jetstreamManager(nc);
    const stream = `KV_${bucket}`;
    const info = await jsm.streams.info(stream);
    if (info.config.max_age !== nanos(ttlMs)) await jsm.streams.update(stream, { ...info.config, max_age: nanos(ttlMs) });
    return kv;
  }

  return {
    bucket,
    async put(figures) {
      writable ??= createBucket();
      try {
        await (await writable).put(replicaKey(figures.replica), JSON.stringify(figures));
      } catch (error) {
        // The next put opens (or creates) the bucket again: it may have been deleted under us.
        writable = undefined;
        throw error;
      }
    },
    async readAll() {
      const keys: string[] = [];
      let kv: KV;
      try {
        // Bound only: opening asks the server nothing, and reading a missing bucket must not create it.
        kv = await kvm.open(bucket);
        for await (const key of await kv.keys(`${KEY_PREFIX}*`)) keys.push(key);
      } catch (error) {
        const problem = isStreamMissing(error)
          ? `figures bucket ${bucket} does not exist: no bridge replica has published figures yet (or BRIDGE_FIGURES_INTERVAL_MS is 0)`
          : `figures bucket ${bucket} could not be listed: ${(error as Error).message}`;
        return { replicas: [], problems: [problem] };
      }
      const replicas: ReplicaFigures[] = [];
      const problems: string[] = [];
      const entries = await Promise.allSettled(keys.sort().map((key) => kv.get(key)));
      entries.forEach((entry, index) => {
        const key = keys[index]!;
        if (entry.status === 'rejected') {
          problems.push(`figures key ${key} in ${bucket} could not be read: ${(entry.reason as Error).message}`);
          return;
        }
        // Gone since it was listed (expired), or deleted: nothing to show, nothing wrong.
        if (entry.value === null || entry.value.operation !== 'PUT') return;
        try {
          const figures = parseReplicaFigures(entry.value.value);
          if (`${KEY_PREFIX}${figures.replica}` !== key) throw new FiguresDocumentError(`it names replica ${figures.replica}`);
          replicas.push(figures);
        } catch (error) {
          if (!(error instanceof FiguresDocumentError)) throw error;
          problems.push(`figures key ${key} in ${bucket} skipped: ${error.message}`);
        }
      });
      return { replicas, problems };
    },
  };
}

export { figuresTtlMs, openFiguresBucket };
export type { FiguresBucket, FiguresBucketOptions, FiguresRead };
