import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactCiphertextList, TfheCompactPublicKey } from 'node-tfhe';
import { describe, expect, it } from 'vitest';
import { isFhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { decryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { engineFixture } from './engine-fixture.js';

describe('input expansion with our casting keyswitch', () => {
  const { evaluator, clientKey } = engineFixture();
  const publicKey = TfheCompactPublicKey.safe_deserialize(
    readFileSync(join(TEST_KEYS_DIR, 'public-key.bin')),
    SERIALIZATION_LIMIT,
  );

  it('expands a packed list encrypted under the compact public key into values node-tfhe decrypts', () => {
    const builder = CompactCiphertextList.builder(publicKey);
    builder.push_boolean(true);
    builder.push_u8(200);
    builder.push_boolean(false);
    const list = builder.build_packed().safe_serialize(SERIALIZATION_LIMIT);
    const values = evaluator.expandInputs(list, [FheType.Bool, FheType.Uint8, FheType.Bool]);
    expect(
      values.map((v, i) =>
        decryptWithClientKey([FheType.Bool, FheType.Uint8, FheType.Bool][i]!, v, clientKey),
      ),
    ).toEqual([1n, 200n, 0n]);
  });

  it('rejects type lists that do not match the ciphertext count', () => {
    const builder = CompactCiphertextList.builder(publicKey);
    builder.push_u8(1);
    const list = builder.build_packed().safe_serialize(SERIALIZATION_LIMIT);
    let error: unknown;
    try {
      evaluator.expandInputs(list, [FheType.Uint16]);
    } catch (e) {
      error = e;
    }
    expect(isFhekitError(error) && error.code).toBe('FHE_INPUT_LIST_MISMATCH');
  });
});
