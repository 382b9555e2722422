import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue } from '../../src/engine/codec/ciphertext-codec.js';
import { decodeClientKey } from '../../src/engine/codec/client-key-codec.js';
import { decryptRadix } from '../../src/engine/decrypt.js';
import { isFhekitError } from '../../src/errors.js';
import { bitsOf, blocksOf, FheType, nameOf } from '../../src/fhevm/fhe-types.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { engineFixture } from './engine-fixture.js';

const VALUES: Record<FheType, bigint> = {
  [FheType.Bool]: 1n,
  [FheType.Uint8]: 0xb4n,
  [FheType.Uint16]: 0xbeefn,
  [FheType.Uint32]: 0xdeadbeefn,
  [FheType.Uint64]: 0xfedcba9876543210n,
  [FheType.Uint128]: (1n << 127n) + 12345n,
  [FheType.Uint160]: (1n << 160n) - 2n,
  [FheType.Uint256]: (1n << 255n) | 0xabcdefn,
};

describe('ciphertext codec (node-tfhe 1.4 safe_serialize)', () => {
  const { clientKey, secretKeys } = engineFixture();

  for (const type of Object.values(FheType)) {
    it(`reads, decrypts and rewrites ${nameOf(type)} byte-identically`, () => {
      const bytes = encryptWithClientKey(type, VALUES[type], clientKey);
      expect(bytes.length).toBe(type === FheType.Bool ? 16_593 : 101 + 16_500 * blocksOf(type));
      const decoded = decodeValue(bytes);
      expect(decoded.kind).toBe(type === FheType.Bool ? 'FheBool' : 'FheUint');
      expect(decoded.blocks).toHaveLength(blocksOf(type));
      expect(decoded.blocks.every((b) => b.noiseLevel === 1)).toBe(true);
      expect(decryptRadix(decoded, secretKeys.glweKey, bitsOf(type))).toBe(VALUES[type]);
      expect(Buffer.from(encodeValue(decoded.kind, decoded)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it('writes values node-tfhe decrypts after a blockwise edit (unpropagated carry)', () => {
    const a = decodeValue(encryptWithClientKey(FheType.Uint8, 100n, clientKey));
    const b = decodeValue(encryptWithClientKey(FheType.Uint8, 57n, clientKey));
    const sum = a.blocks.map((x, i) => {
      const y = b.blocks[i]!;
      const lwe = x.lwe.map((v, j) => v + y.lwe[j]!);
      return { lwe, degree: x.degree + y.degree, noiseLevel: 2 };
    });
    expect(decryptWithClientKey(FheType.Uint8, encodeValue('FheUint', { blocks: sum }), clientKey)).toBe(
      157n,
    );
  });

  it('rejects bytes that are not a ciphertext with FHE_CODEC_INVALID', () => {
    const truncated = encryptWithClientKey(FheType.Uint8, 1n, clientKey).subarray(0, 5000);
    const error = (() => {
      try {
        decodeValue(truncated);
      } catch (e) {
        return e;
      }
    })();
    expect(isFhekitError(error) && error.code).toBe('FHE_CODEC_INVALID');
    const clientKeyBytes = readFileSync(join(TEST_KEYS_DIR, 'client-key.bin'));
    expect(() => decodeValue(clientKeyBytes)).toThrow(/not FheBool or FheUint/);
  });
});

describe('client key codec', () => {
  it('extracts binary GLWE, small and PKE keys that decrypt node-tfhe ciphertexts', () => {
    const keys = decodeClientKey(readFileSync(join(TEST_KEYS_DIR, 'client-key.bin')));
    expect(keys.glweKey).toHaveLength(2048);
    expect(keys.smallKey).toHaveLength(918);
    expect(keys.pkeKey).toHaveLength(2048);
    for (const key of [keys.glweKey, keys.smallKey, keys.pkeKey]) {
      const ones = key.reduce((s, b) => s + b, 0);
      // Uniform binary keys: far from all-zero or all-one.
      expect(ones).toBeGreaterThan(key.length * 0.4);
      expect(ones).toBeLessThan(key.length * 0.6);
    }
    expect(Buffer.from(keys.glweKey).equals(Buffer.from(keys.pkeKey))).toBe(false);
  });
});
