import { type AvroType, compileSchema } from './codec.ts';

/**
 * Compiled avsc types keyed by the caller (route key + registry epoch), so each schema version
 * is compiled once per process and a changed registry entry gets a fresh type.
 */
class SchemaCache {
  readonly #types = new Map<string, AvroType>();
  readonly #maxEntries: number;

  constructor(maxEntries = 1000) {
    this.#maxEntries = maxEntries;
  }

  get(key: string, definition: unknown): AvroType {
    let type = this.#types.get(key);
    if (type === undefined) {
      type = compileSchema(definition);
      // Old epochs are never asked for again; dropping the oldest keeps memory bounded.
      if (this.#types.size >= this.#maxEntries) this.#types.delete(this.#types.keys().next().value as string);
      this.#types.set(key, type);
    }
    return type;
  }
}

export { SchemaCache };
