import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactPkeCrs, TfheClientKey, TfheCompactPublicKey } from 'node-tfhe';
import { SERIALIZATION_LIMIT } from '../../../src/fhevm/limits.js';
import { TEST_KEYS_DIR } from '../../test-keys.js';

export interface TestKeys {
  clientKey: TfheClientKey;
  publicKey: TfheCompactPublicKey;
  crs: CompactPkeCrs;
  clientKeyBytes: Uint8Array;
  publicKeyBytes: Uint8Array;
  crsBytes: Uint8Array;
}

export function loadTestKeys(): TestKeys {
  const read = (file: string) => new Uint8Array(readFileSync(join(TEST_KEYS_DIR, file)));
  const clientKeyBytes = read('client-key.bin');
  const publicKeyBytes = read('public-key.bin');
  const crsBytes = read('crs-2048.bin');
  return {
    clientKey: TfheClientKey.safe_deserialize(clientKeyBytes, SERIALIZATION_LIMIT),
    publicKey: TfheCompactPublicKey.safe_deserialize(publicKeyBytes, SERIALIZATION_LIMIT),
    crs: CompactPkeCrs.safe_deserialize(crsBytes, SERIALIZATION_LIMIT),
    clientKeyBytes,
    publicKeyBytes,
    crsBytes,
  };
}
