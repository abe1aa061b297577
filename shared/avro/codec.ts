import avro from 'avsc';
import { CodecError, SchemaDefinitionError } from './errors.ts';
import { LOGICAL_TYPES } from './logicalTypes.ts';

type AvroSchema = avro.Schema;
type AvroType = avro.Type;

function compileSchema(definition: unknown): AvroType {
  try {
    return avro.Type.forSchema(definition as AvroSchema, { logicalTypes: LOGICAL_TYPES });
  } catch (error) {
    throw new SchemaDefinitionError(`invalid Avro schema: ${(error as Error).message}`, { cause: error });
  }
}

/** Decodes one raw Avro body. Truncated input, trailing bytes and bad values all become a CodecError. */
function decodeAvro(type: AvroType, payload: Buffer): unknown {
  if (payload.length === 0) throw new CodecError('empty payload');
  try {
    return type.fromBuffer(payload);
  } catch (error) {
    throw new CodecError(`payload does not decode as ${type.name ?? type.typeName}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Encodes a value, naming the first offending field instead of avsc's generic "invalid" message. */
function encodeAvro(type: AvroType, value: unknown): Buffer {
  const problems: string[] = [];
  const valid = type.isValid(value, {
    errorHook: (path: string[], bad: unknown) => problems.push(`${path.join('.') || '(root)'}=${JSON.stringify(bad)}`),
  });
  if (!valid) throw new CodecError(`value does not match ${type.name ?? type.typeName}: ${problems.join(', ')}`);
  return type.toBuffer(value);
}

export { compileSchema, decodeAvro, encodeAvro };
export type { AvroSchema, AvroType };
