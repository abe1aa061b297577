import type { JetStreamClient } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { HeaderMap } from '../nats/index.ts';
import type { OriginalContent, StoredOriginal } from './types.ts';

/**
 * The originals of dead letters too large to carry them inline, in a JetStream object store
 * bucket (chunked, so any size the ingest stream accepted fits). One object per letter, named by
 * the letter's id: storing the same letter again replaces its object instead of adding one.
 */
type OriginalStore = {
  put(id: string, content: OriginalContent): Promise<StoredOriginal>;
  /** The original a letter refers to; throws MissingOriginalError when it is gone (expired or deleted). */
  get(ref: StoredOriginal): Promise<OriginalContent>;
  delete(ref: StoredOriginal): Promise<void>;
};

class MissingOriginalError extends Error {
  constructor(ref: StoredOriginal) {
    super(`the original of dead letter ${ref.object} is no longer in object store bucket ${ref.bucket} (expired or deleted)`);
    this.name = 'MissingOriginalError';
  }
}

/** What an object holds: the original headers and payload, as JSON so `nats object get` shows them plainly. */
type ObjectContent = { readonly headers: HeaderMap; readonly payload: string };

/** `bucket` is where new originals go; a letter's own reference names the bucket it is read from. */
function createOriginalStore(js: JetStreamClient, bucket: string): OriginalStore {
  const objm = new Objm(js);
  const opened = new Map<string, Promise<ObjectStore>>();
  // Buckets are created with the streams (ensureTopology); opening without a status request
  // keeps the first large letter from paying a round trip.
  const store = (name: string): Promise<ObjectStore> => {
    let found = opened.get(name);
    if (found === undefined) {
      found = objm.open(name, false);
      opened.set(name, found);
      found.catch(() => opened.delete(name));
    }
    return found;
  };
  return {
    async put(id, content) {
      const body: ObjectContent = { headers: content.headers, payload: content.payload };
      await (await store(bucket)).putBlob({ name: id, description: 'original of a dead letter' }, Buffer.from(JSON.stringify(body)));
      return { bucket, object: id, payloadBytes: Buffer.byteLength(content.payload, 'base64') };
    },
    async get(ref) {
      const data = await (await store(ref.bucket)).getBlob(ref.object);
      if (data === null) throw new MissingOriginalError(ref);
      const body = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as ObjectContent;
      return { headers: body.headers, payload: body.payload };
    },
    async delete(ref) {
      await (await store(ref.bucket)).delete(ref.object);
    },
  };
}

export { createOriginalStore, MissingOriginalError };
export type { OriginalStore };
