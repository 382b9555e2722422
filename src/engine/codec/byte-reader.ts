import { FhekitError } from '../../errors.js';

/**
 * Sequential little-endian reader for bincode (fixint) bytes, failing with a FhekitError on bad input.
 * Every length is checked against the bytes left before anything is allocated, so a reader never
 * holds more than a copy of its input (what node-tfhe's serialization limit guards against).
 */
export class ByteReader {
  private readonly view: DataView;
  offset = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  /** A u64 that must fit a JS number (lengths, counts, small newtypes). */
  u64Number(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} out of range`);
    return Number(v);
  }

  u128(): bigint {
    const lo = this.u64();
    return (this.u64() << 64n) | lo;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  take(length: number): Uint8Array {
    this.need(length);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** `length` u64 values, copied into a fresh aligned array. */
  u64Array(length: number): BigUint64Array {
    const raw = this.take(length * 8);
    const out = new BigUint64Array(length);
    new Uint8Array(out.buffer).set(raw);
    return out;
  }

  /** A bincode string / byte vector: u64 length, then bytes. */
  lengthPrefixed(): Uint8Array {
    return this.take(this.u64Number());
  }

  expectU32(expected: number, field: string): void {
    const v = this.u32();
    if (v !== expected) this.fail(`${field}: expected ${expected}, found ${v}`);
  }

  /** A versioned newtype (`LweDimension`, `Degree`, …): u32 version 0, then a u64. */
  newtype(field: string): number {
    this.expectU32(0, `${field} version`);
    return this.u64Number();
  }

  expectNewtype(expected: number, field: string): void {
    const v = this.newtype(field);
    if (v !== expected) this.fail(`${field}: expected ${expected}, found ${v}`);
  }

  fail(detail: string): never {
    throw new FhekitError(
      'FHE_CODEC_INVALID',
      `Cannot read ${this.what}: ${detail} (at byte ${this.offset}).`,
      {
        hint: 'The bytes must be node-tfhe safe_serialize output of the pinned node-tfhe version with the fhEVM parameters.',
      },
    );
  }

  private need(length: number): void {
    if (this.offset + length > this.bytes.length) this.fail('unexpected end of data');
  }
}
