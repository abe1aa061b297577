import { FrameError } from './frameErrors.ts';

/**
 * How an Avro body travels on the wire:
 * - raw: the body alone; the schema comes from the route.
 * - schema-id: 4-byte big-endian registry schema id, then the body.
 * - confluent: magic 0x00, 4-byte big-endian schema id, then the body (Confluent Schema Registry).
 * - single-object: magic C3 01, 8-byte little-endian CRC-64-AVRO fingerprint, then the body (Avro spec).
 */
type WireFormat = 'raw' | 'schema-id' | 'confluent' | 'single-object';
const WIRE_FORMATS: readonly WireFormat[] = ['raw', 'schema-id', 'confluent', 'single-object'];

type Frame = { readonly body: Buffer; readonly schemaId?: number; readonly fingerprint?: bigint };
type WriterIdentity = { readonly schemaId?: number; readonly fingerprint?: bigint };

const CONFLUENT_MAGIC = 0x00;
const SINGLE_OBJECT_MAGIC = [0xc3, 0x01] as const;
const MAX_UINT32 = 0xffffffff;
const MAX_UINT64 = (1n << 64n) - 1n;

function requireSchemaId(format: WireFormat, writer: WriterIdentity): number {
  const id = writer.schemaId;
  if (id === undefined) throw new Error(`${format} framing needs a schema id`);
  if (!Number.isInteger(id) || id < 0 || id > MAX_UINT32) throw new Error(`schema id ${id} does not fit in 4 unsigned bytes`);
  return id;
}

function requireFingerprint(writer: WriterIdentity): bigint {
  const fingerprint = writer.fingerprint;
  if (fingerprint === undefined) throw new Error('single-object framing needs a CRC-64-AVRO fingerprint');
  if (fingerprint < 0n || fingerprint > MAX_UINT64) throw new Error(`fingerprint ${fingerprint} is not an unsigned 64-bit value`);
  return fingerprint;
}

function header(format: Exclude<WireFormat, 'raw'>, writer: WriterIdentity): Buffer {
  if (format === 'schema-id') {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(requireSchemaId(format, writer), 0);
    return out;
  }
  if (format === 'confluent') {
    const out = Buffer.alloc(5);
    out[0] = CONFLUENT_MAGIC;
    out.writeUInt32BE(requireSchemaId(format, writer), 1);
    return out;
  }
  const out = Buffer.alloc(10);
  out[0] = SINGLE_OBJECT_MAGIC[0];
  out[1] = SINGLE_OBJECT_MAGIC[1];
  out.writeBigUInt64LE(requireFingerprint(writer), 2);
  return out;
}

/** Wraps an encoded body; `raw` returns a view of the body without copying. */
function frame(format: WireFormat, body: Uint8Array, writer: WriterIdentity): Buffer {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (format === 'raw') return bytes;
  return Buffer.concat([header(format, writer), bytes]);
}

/** Header length per format; anything at or below it carries no body. */
const HEADER_LENGTH: Readonly<Record<WireFormat, number>> = { raw: 0, 'schema-id': 4, confluent: 5, 'single-object': 10 };

/**
 * Splits a payload into its body and writer identity. The body is a view into `payload`, not a
 * copy. A broken envelope is a FrameError, so it dead-letters with `invalid_frame` instead of
 * failing later as an undecodable body.
 */
function unframe(format: WireFormat, payload: Uint8Array): Frame {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const headerLength = HEADER_LENGTH[format];
  if (bytes.length < headerLength) {
    throw new FrameError(`${format} payload is ${bytes.length} bytes, shorter than its ${headerLength}-byte header`);
  }
  if (format === 'confluent' && bytes[0] !== CONFLUENT_MAGIC) {
    throw new FrameError(`confluent payload starts with 0x${hexByte(bytes[0])}, expected magic byte 0x00`);
  }
  if (format === 'single-object' && (bytes[0] !== SINGLE_OBJECT_MAGIC[0] || bytes[1] !== SINGLE_OBJECT_MAGIC[1])) {
    throw new FrameError(`single-object payload starts with 0x${hexByte(bytes[0])}${hexByte(bytes[1])}, expected marker 0xc301`);
  }
  if (bytes.length === headerLength) {
    throw new FrameError(`${format} payload has no Avro body${headerLength > 0 ? ' after its header' : ''}`);
  }

  const body = bytes.subarray(headerLength);
  if (format === 'schema-id') return { body, schemaId: bytes.readUInt32BE(0) };
  if (format === 'confluent') return { body, schemaId: bytes.readUInt32BE(1) };
  if (format === 'single-object') return { body, fingerprint: bytes.readBigUInt64LE(2) };
  return { body };
}

function hexByte(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}

export { frame, unframe, WIRE_FORMATS };
export type { Frame, WireFormat, WriterIdentity };
