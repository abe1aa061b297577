import { type AvroType, decodeAvro } from './codec.ts';
import { CodecError } from './errors.ts';
import { SchemaMismatchError } from './frameErrors.ts';

function typeLabel(type: AvroType): string {
  return type.name ?? type.typeName;
}

/**
 * A decoder for bytes written with `writer`, returning values in the `reader` shape (Avro schema
 * resolution). Build it once per writer/reader pair: avsc compiles the resolver up front.
 * Namespaces are ignored because the spec matches named types by unqualified name.
 */
function createResolvingDecoder(reader: AvroType, writer: AvroType): (body: Buffer) => unknown {
  // Same compiled type: no resolution to do, and the plain path is avsc's fastest.
  if (reader === writer) return (body) => decodeAvro(reader, body);

  let resolver: ReturnType<AvroType['createResolver']>;
  try {
    resolver = reader.createResolver(writer, { ignoreNamespaces: true });
  } catch (error) {
    throw new SchemaMismatchError(`reader schema ${typeLabel(reader)} cannot read data written with ${typeLabel(writer)}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  return (body) => {
    if (body.length === 0) throw new CodecError('empty payload');
    try {
      return reader.fromBuffer(body, resolver);
    } catch (error) {
      throw new CodecError(`payload written with ${typeLabel(writer)} does not decode as ${typeLabel(reader)}: ${(error as Error).message}`, { cause: error });
    }
  };
}

export { createResolvingDecoder };
