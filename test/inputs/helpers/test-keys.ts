import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompactPkeCrs, TfheClientKey, TfheCompactPublicKey } from 'node-tfhe';

/** The keyset test/global-setup.ts makes once per checkout. */
export const TEST_KEYS_DIR = fileURLToPath(new URL('../../../.cache/test-keys', import.meta.url));
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
