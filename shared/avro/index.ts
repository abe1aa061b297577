export { compileSchema, decodeAvro, encodeAvro } from './codec.ts';
export type { AvroSchema, AvroType } from './codec.ts';
export { CodecError, SchemaDefinitionError } from './errors.ts';
export { toJsonValue } from './json.ts';
export type { JsonValue } from './json.ts';
export { SchemaCache } from './schemaCache.ts';
