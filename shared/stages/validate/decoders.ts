import { createResolvingDecoder, SchemaCache } from '../../avro/index.ts';
import type { SchemaVersionRef } from '../../routes/index.ts';

type Decode = (body: Buffer) => unknown;

/**
 * Decoders per (reader, writer) pair: each schema is compiled once and each resolver built
 * once, so evolution costs nothing per event after the first.
 */
class DecoderCache {
  readonly #types = new SchemaCache();
  readonly #decoders = new Map<string, Decode>();

  get(reader: SchemaVersionRef, writer: SchemaVersionRef): Decode {
    const key = `${reader.cacheKey}<${writer.cacheKey}`;
    let decode = this.#decoders.get(key);
    if (decode === undefined) {
      const readerType = this.#types.get(reader.cacheKey, reader.definition);
      const writerType = writer.cacheKey === reader.cacheKey ? readerType : this.#types.get(writer.cacheKey, writer.definition);
      decode = createResolvingDecoder(readerType, writerType);
      if (this.#decoders.size >= 1000) this.#decoders.delete(this.#decoders.keys().next().value as string);
      this.#decoders.set(key, decode);
    }
    return decode;
  }
}

export { DecoderCache };
