import type { Block, RadixCiphertext } from '../block.js';
import { BIG_LWE_SIZE, PARAMS } from '../params.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { readHeader, writeHeader } from './header.js';

/** The two high-level value kinds the fhEVM stores; every FheUintN shares one type name. */
export type ValueKind = 'FheBool' | 'FheUint';

const TYPE_NAME: Record<ValueKind, string> = {
  FheBool: 'high_level_api::FheBool',
  FheUint: 'high_level_api::FheUint',
};

const HL_VALUE_VERSION = 2;
const SHORTINT_CIPHERTEXT_VERSION = 1;
const BLOCK_BYTES = 16_500;

export interface DecodedValue extends RadixCiphertext {
  kind: ValueKind;
}

/** Reads node-tfhe `safe_serialize` bytes of a FheBool or FheUintN (any width; the block count tells it). */
export function decodeValue(bytes: Uint8Array): DecodedValue {
  const r = new ByteReader(bytes, 'ciphertext');
  const name = readHeader(r);
  const kind = (Object.keys(TYPE_NAME) as ValueKind[]).find((k) => TYPE_NAME[k] === name);
  if (kind === undefined) return r.fail(`type ${name} is not FheBool or FheUint`);
  r.expectU32(HL_VALUE_VERSION, 'value version');
  r.expectU32(0, 'device wrapper');
  r.expectU32(0, 'radix/boolean block version');
  const count = kind === 'FheBool' ? 1 : r.u64Number();
  if (count < 1 || count * BLOCK_BYTES > r.remaining) r.fail(`implausible block count ${count}`);
  const blocks: Block[] = [];
  for (let i = 0; i < count; i++) blocks.push(readBlock(r));
  readEmptyOrAnyBytes(r, 'tag');
  readEmptyOrAnyBytes(r, 're-randomization metadata');
  if (r.remaining !== 0) r.fail(`${r.remaining} trailing bytes`);
  return { kind, blocks };
}

/** Writes bytes node-tfhe `safe_deserialize`s as FheBool / FheUintN (empty tag and re-rand metadata). */
export function encodeValue(kind: ValueKind, value: RadixCiphertext): Uint8Array {
  const w = new ByteWriter(120 + value.blocks.length * BLOCK_BYTES);
  writeHeader(w, TYPE_NAME[kind]);
  w.u32(HL_VALUE_VERSION).u32(0).u32(0);
  if (kind === 'FheUint') w.u64(value.blocks.length);
  for (const block of value.blocks) writeBlock(w, block);
  w.u32(0).u64(0); // tag
  w.u32(0).u64(0); // re-randomization metadata
  return w.finish();
}

function readBlock(r: ByteReader): Block {
  r.expectU32(SHORTINT_CIPHERTEXT_VERSION, 'shortint ciphertext version');
  r.expectU32(0, 'LWE ciphertext version');
  const size = r.u64Number();
  if (size !== BIG_LWE_SIZE) r.fail(`LWE size ${size}, expected ${BIG_LWE_SIZE}`);
  const lwe = r.u64Array(size);
  readNativeModulus(r);
  const degree = r.newtype('degree');
  const noiseLevel = r.newtype('noise level');
  r.expectNewtype(PARAMS.messageModulus, 'message modulus');
  r.expectNewtype(PARAMS.carryModulus, 'carry modulus');
  r.expectU32(0, 'atomic pattern version');
  r.expectU32(0, 'atomic pattern Standard');
  r.expectU32(0, 'PBS order version');
  r.expectU32(0, 'PBS order KeyswitchBootstrap');
  return { lwe, degree, noiseLevel };
}

function writeBlock(w: ByteWriter, block: Block): void {
  w.u32(SHORTINT_CIPHERTEXT_VERSION).u32(0).u64(BIG_LWE_SIZE);
  w.bytes(new Uint8Array(block.lwe.buffer, block.lwe.byteOffset, BIG_LWE_SIZE * 8));
  writeNativeModulus(w);
  w.newtype(block.degree).newtype(block.noiseLevel);
  w.newtype(PARAMS.messageModulus).newtype(PARAMS.carryModulus);
  w.u32(0).u32(0).u32(0).u32(0);
}

/** `CiphertextModulus`: version, u128 modulus (0 = native 2^64), scalar bits. */
export function readNativeModulus(r: ByteReader): void {
  r.expectU32(0, 'ciphertext modulus version');
  if (r.u128() !== 0n) r.fail('only the native 2^64 ciphertext modulus is supported');
  if (r.u64() !== 64n) r.fail('scalar bits must be 64');
}

function writeNativeModulus(w: ByteWriter): void {
  w.u32(0).u128(0n).u64(64);
}

function readEmptyOrAnyBytes(r: ByteReader, field: string): void {
  r.expectU32(0, `${field} version`);
  r.lengthPrefixed();
}
