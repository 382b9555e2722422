import { BIG_LWE_SIZE, PARAMS } from '../params.js';
import { ByteReader } from './byte-reader.js';
import { readNativeModulus } from './ciphertext-codec.js';
import { readHeader } from './header.js';

/** The ciphertext part of an SDK input list: LWEs under the PKE key, each one block or a packed pair. */
export interface CompactListCiphertexts {
  count: number;
  /**
   * LWE j as `pke_dim` mask coefficients then the body. Made on demand: each is 16 KiB from 8 bytes
   * of input, so a caller checks `count` first.
   */
  lwe(j: number): BigUint64Array;
  /** true when every LWE holds two blocks as low + 4·high (`build_packed`, what the SDK sends). */
  packed: boolean;
}

const PKE_DIM = PARAMS.pkeDimension;

/**
 * Reads the ciphertexts of a `ProvenCompactCiphertextList` (one proven list, ≤ 2048 bits — the SDK
 * limit) or of a `CompactCiphertextList`. The proof and the data kinds that follow are not needed here.
 */
export function decodeCompactListCiphertexts(bytes: Uint8Array): CompactListCiphertexts {
  const r = new ByteReader(bytes, 'compact ciphertext list');
  const name = readHeader(r);
  if (name === 'high_level_api::ProvenCompactCiphertextList') {
    r.expectU32(0, 'HL proven list version');
    r.expectU32(0, 'integer proven list version');
    r.expectU32(0, 'shortint proven list version');
    const lists = r.u64Number();
    if (lists !== 1) r.fail(`${lists} proven lists; only single-list inputs (≤ 2048 bits) are supported`);
  } else if (name === 'high_level_api::CompactCiphertextList') {
    r.expectU32(1, 'HL compact list version');
    r.expectU32(1, 'integer compact list version');
  } else {
    r.fail(`type ${name} is not a compact ciphertext list`);
  }
  r.expectU32(2, 'shortint compact list version');
  r.expectU32(0, 'LWE compact list version');
  const dataLength = r.u64Number();
  const data = r.u64Array(dataLength);
  r.expectNewtype(BIG_LWE_SIZE, 'LWE size');
  const count = r.newtype('LWE count');
  readNativeModulus(r);
  const degree = r.newtype('degree');
  r.expectNewtype(PARAMS.messageModulus, 'message modulus');
  r.expectNewtype(PARAMS.carryModulus, 'carry modulus');
  r.expectU32(0, 'expansion kind version');
  r.expectU32(0, 'expansion kind RequiresCasting');
  const bins = Math.ceil(count / PKE_DIM);
  if (dataLength !== bins * PKE_DIM + count)
    r.fail(`data length ${dataLength} does not fit ${count} ciphertexts`);
  return { count, lwe: (j) => lweOf(data, j, bins), packed: degree === 15 };
}

/**
 * LWE j of bin ⌊j/2048⌋: its mask is the bin's mask polynomial times X^(j mod 2048) (negacyclic), its
 * body is body j.
 */
function lweOf(data: BigUint64Array, j: number, bins: number): BigUint64Array {
  const bin = Math.floor(j / PKE_DIM);
  const shift = j % PKE_DIM;
  const mask = data.subarray(bin * PKE_DIM, (bin + 1) * PKE_DIM);
  const lwe = new BigUint64Array(PKE_DIM + 1);
  for (let k = 0; k < PKE_DIM; k++) {
    lwe[k] = k >= shift ? mask[k - shift]! : BigInt.asUintN(64, -mask[k - shift + PKE_DIM]!);
  }
  lwe[PKE_DIM] = data[bins * PKE_DIM + j]!;
  return lwe;
}
