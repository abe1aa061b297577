import { createHash } from 'node:crypto';
import { parsingCanonicalForm } from './canonical.ts';

/** The spec's CRC-64-AVRO polynomial, which doubles as the fingerprint of zero bytes. */
const EMPTY = 0xc15d213aa4d7a795n;
const EMPTY_HI = Number(EMPTY >> 32n);
const EMPTY_LO = Number(EMPTY & 0xffffffffn);
const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * The 256-entry table split into 32-bit halves: plain number arithmetic keeps the per-byte loop
 * free of BigInt allocations, and the halves are joined once at the end.
 */
const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let bit = 0; bit < 8; bit++) {
    // `-(fp & 1)` from the spec: all ones when the low bit is set, else zero.
    const mask = -(lo & 1);
    lo = ((lo >>> 1) | (hi << 31)) ^ (EMPTY_LO & mask);
    hi = (hi >>> 1) ^ (EMPTY_HI & mask);
  }
  TABLE_HI[i] = hi >>> 0;
  TABLE_LO[i] = lo >>> 0;
}

/** CRC-64-AVRO (the spec's 64-bit Rabin fingerprint) as an unsigned 64-bit value. */
function crc64Avro(bytes: Uint8Array): bigint {
  let hi = EMPTY_HI;
  let lo = EMPTY_LO;
  for (const byte of bytes) {
    const index = (lo ^ byte) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]!) >>> 0;
    hi = ((hi >>> 8) ^ TABLE_HI[index]!) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** CRC-64-AVRO of the schema's Parsing Canonical Form: the id single-object encoding carries. */
function schemaFingerprint(schema: unknown): bigint {
  return crc64Avro(Buffer.from(parsingCanonicalForm(schema), 'utf8'));
}

/** SHA-256 of the Parsing Canonical Form, hex encoded; the spec's collision-safe fingerprint. */
function schemaSha256(schema: unknown): string {
  return createHash('sha256').update(parsingCanonicalForm(schema), 'utf8').digest('hex');
}

/** 16 lower-case hex digits, most significant first. Java's signed longs are accepted too. */
function fingerprintToHex(fingerprint: bigint): string {
  if (fingerprint < -(1n << 63n) || fingerprint > MAX_UINT64) {
    throw new RangeError(`fingerprint ${fingerprint} does not fit in 64 bits`);
  }
  return BigInt.asUintN(64, fingerprint).toString(16).padStart(16, '0');
}

function fingerprintFromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new RangeError(`fingerprint must be 16 hex digits, got ${JSON.stringify(hex)}`);
  return BigInt(`0x${hex}`);
}

export { crc64Avro, fingerprintFromHex, fingerprintToHex, schemaFingerprint, schemaSha256 };
