import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CompactCiphertextList, type TfheClientKey, type TfheCompactPublicKey } from 'node-tfhe';
import { beforeAll, describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/engine/codec/byte-reader.js';
import { ByteWriter } from '../../src/engine/codec/byte-writer.js';
import { decodeValue } from '../../src/engine/codec/ciphertext-codec.js';
import { decodeClientKey } from '../../src/engine/codec/client-key-codec.js';
import { decodeCompactListCiphertexts } from '../../src/engine/codec/compact-list-codec.js';
import { readHeader, writeHeader } from '../../src/engine/codec/header.js';
import { isFhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { inputProofMetadata } from '../../src/inputs/metadata.js';
import { encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { provenInput } from '../inputs/helpers/proven-inputs.js';
import { loadTestKeys } from '../inputs/helpers/test-keys.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

/**
 * Property-based fuzzing of the readers for tfhe-rs bytes: whatever the bytes, a reader returns or
 * throws the codec's FhekitError with a short message, and never allocates much more than it was given
 * (a length prefix claiming gigabytes is refused before anything is allocated).
 */

type Reader = (bytes: Uint8Array) => unknown;

const READERS: Record<string, Reader> = {
  ciphertext: decodeValue,
  'compact list': decodeCompactListCiphertexts,
  'client key': decodeClientKey,
  header: (bytes) => readHeader(new ByteReader(bytes, 'header')),
};

const RUNS = { numRuns: 200 };

/** Runs the reader; returns whether it accepted, and fails the test on anything but a codec error. */
function readOrTypedError(read: Reader, bytes: Uint8Array): boolean {
  const before = process.memoryUsage().arrayBuffers;
  let accepted = true;
  try {
    read(bytes);
  } catch (error) {
    if (!isFhekitError(error)) throw new Error(`raw error: ${String(error)}`);
    expect(error.code).toBe('FHE_CODEC_INVALID');
    expect(error.message.length).toBeLessThan(300);
    accepted = false;
  }
  // The decoded form may copy the input once (aligned u64 arrays); more means it believed a length.
  const grown = process.memoryUsage().arrayBuffers - before;
  expect(grown).toBeLessThan(2 * bytes.length + (1 << 20));
  return accepted;
}

describe('codec fuzzing (safe_deserialize-compatible readers)', () => {
  const seeds: Record<string, Uint8Array> = {};

  beforeAll(() => {
    const keys = loadTestKeys();
    const clientKey: TfheClientKey = keys.clientKey;
    const publicKey: TfheCompactPublicKey = keys.publicKey;
    seeds.bool = encryptWithClientKey(FheType.Bool, 1n, clientKey);
    seeds.uint8 = encryptWithClientKey(FheType.Uint8, 0xb4n, clientKey);
    const builder = CompactCiphertextList.builder(publicKey);
    builder.push_u8(7);
    builder.push_boolean(true);
    const compact = builder.build_packed();
    seeds.compactList = compact.safe_serialize(SERIALIZATION_LIMIT);
    compact.free();
    // The same list and metadata as the input service test, so that the proof cache is shared.
    seeds.provenList = provenInput(
      keys,
      [
        { type: FheType.Uint8, value: 200n },
        { type: FheType.Bool, value: 1n },
      ],
      inputProofMetadata(
        '0x1111111111111111111111111111111111111111',
        '0x2222222222222222222222222222222222222222',
        '0x50157CFfD6bBFA2DECe204a89ec419c23ef5755D',
        31337n,
      ),
    );
    seeds.clientKey = new Uint8Array(readFileSync(join(TEST_KEYS_DIR, 'client-key.bin')));
  });

  const seedFor = (reader: string): Uint8Array[] =>
    reader === 'compact list'
      ? [seeds.compactList, seeds.provenList]
      : reader === 'client key'
        ? [seeds.clientKey]
        : [seeds.bool, seeds.uint8];

  it('seeds are accepted as they are', () => {
    for (const name of Object.keys(READERS)) {
      for (const seed of seedFor(name)) expect(readOrTypedError(READERS[name], seed)).toBe(true);
    }
  });

  for (const [name, read] of Object.entries(READERS)) {
    it(`${name}: random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
          readOrTypedError(read, bytes);
        }),
        RUNS,
      );
    });

    it(`${name}: truncated, extended and overwritten valid encodings`, () => {
      const seedsOf = seedFor(name);
      const edit = fc.record({
        seed: fc.nat({ max: seedsOf.length - 1 }),
        cut: fc.nat(),
        tail: fc.uint8Array({ maxLength: 64 }),
        writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        mode: fc.constantFrom('truncate', 'extend', 'overwrite'),
      });
      fc.assert(
        fc.property(edit, ({ seed, cut, tail, writes, mode }) => {
          const original = seedsOf[seed];
          let bytes: Uint8Array;
          if (mode === 'truncate') bytes = original.slice(0, cut % original.length);
          else if (mode === 'extend') bytes = Uint8Array.from([...original, ...tail, 0]);
          else {
            bytes = original.slice();
            for (const [at, value] of writes) bytes[at % bytes.length] = value;
          }
          const accepted = readOrTypedError(read, bytes);
          // A ciphertext is read to its last byte: a cut or an appended byte is always refused.
          if (name === 'ciphertext' && mode !== 'overwrite') expect(accepted).toBe(false);
        }),
        RUNS,
      );
    });

    it(`${name}: a length or count field claiming up to 2^64 is refused before allocation`, () => {
      const seedsOf = seedFor(name);
      fc.assert(
        fc.property(
          fc.nat({ max: seedsOf.length - 1 }),
          fc.nat(),
          fc.bigInt({ min: 1n << 20n, max: (1n << 64n) - 1n }),
          (seed, at, claimed) => {
            const bytes = seedsOf[seed].slice();
            // Only the first 4 KiB hold lengths and counts (the rest is key or ciphertext data).
            const offset = at % Math.min(4096, bytes.length - 8);
            new DataView(bytes.buffer).setBigUint64(offset, claimed, true);
            readOrTypedError(read, bytes);
          },
        ),
        RUNS,
      );
    });
  }

  it('compact list: the LWE count cannot make the reader allocate far beyond its input', () => {
    // One mask bin of 2048 coefficients plus `count` bodies, as small as a valid list of `count` LWEs gets.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }), (count) => {
        const w = new ByteWriter();
        writeHeader(w, 'high_level_api::CompactCiphertextList');
        w.u32(1).u32(1).u32(2).u32(0);
        w.u64(2048 + count).bytes(new Uint8Array((2048 + count) * 8));
        w.newtype(2049).newtype(count);
        w.u32(0).u128(0n).u64(64);
        w.newtype(15).newtype(4).newtype(4).u32(0).u32(0);
        readOrTypedError(decodeCompactListCiphertexts, w.finish());
      }),
      { numRuns: 20 },
    );
  });
});
