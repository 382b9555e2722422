import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactCiphertextList, CompactPkeCrs, TfheCompactPublicKey, ZkComputeLoad } from 'node-tfhe';
import { describe, expect, it } from 'vitest';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import { decryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { engineFixture } from './engine-fixture.js';

describe('input expansion of a proven list (as the relayer SDK sends it)', () => {
  it('expands ebool, euint64 and euint256 from a ZK-proven packed list', () => {
    const { evaluator, clientKey } = engineFixture();
    const load = (file: string) => readFileSync(join(TEST_KEYS_DIR, file));
    const publicKey = TfheCompactPublicKey.safe_deserialize(load('public-key.bin'), SERIALIZATION_LIMIT);
    const crs = CompactPkeCrs.safe_deserialize(load('crs-2048.bin'), SERIALIZATION_LIMIT);
    const builder = CompactCiphertextList.builder(publicKey);
    builder.push_boolean(true);
    builder.push_u64(0xfedcba9876543210n);
    builder.push_u256((1n << 255n) + 3n);
    const proven = builder
      .build_with_proof_packed(crs, new Uint8Array(92).fill(1), ZkComputeLoad.Verify)
      .safe_serialize(SERIALIZATION_LIMIT);
    const types = [FheType.Bool, FheType.Uint64, FheType.Uint256];
    const values = evaluator.expandInputs(proven, types);
    expect(values.map((v, i) => decryptWithClientKey(types[i]!, v, clientKey))).toEqual([
      1n,
      0xfedcba9876543210n,
      (1n << 255n) + 3n,
    ]);
  }, 1_800_000);
});
