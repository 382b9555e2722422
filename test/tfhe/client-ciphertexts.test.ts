import { TfheClientKey } from 'node-tfhe';
import { describe, expect, it } from 'vitest';
import { bitsOf, FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { loadKeyset } from '../../src/keys/load-keyset.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

describe('client-key encryption of fhEVM types', () => {
  const clientKey = TfheClientKey.safe_deserialize(
    loadKeyset(TEST_KEYS_DIR).read('clientKey'),
    SERIALIZATION_LIMIT,
  );

  it.each(Object.values(FheType))('round-trips the maximum value of type %i', (type) => {
    const max = (1n << BigInt(bitsOf(type))) - 1n;
    const bytes = encryptWithClientKey(type, max, clientKey);
    expect(decryptWithClientKey(type, bytes, clientKey)).toBe(max);
    expect(decryptWithClientKey(type, encryptWithClientKey(type, 0n, clientKey), clientKey)).toBe(0n);
  });
});
