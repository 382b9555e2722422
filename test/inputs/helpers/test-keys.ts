import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactPkeCrs, TfheClientKey, TfheCompactPublicKey } from 'node-tfhe';

import { TEST_KEYS_DIR } from '../../test-keys.js';

const LIMIT = 1n << 40n;

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
    clientKey: TfheClientKey.safe_deserialize(clientKeyBytes, LIMIT),
    publicKey: TfheCompactPublicKey.safe_deserialize(publicKeyBytes, LIMIT),
    crs: CompactPkeCrs.safe_deserialize(crsBytes, LIMIT),
    clientKeyBytes,
    publicKeyBytes,
    crsBytes,
  };
}
