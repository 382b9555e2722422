import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFhekitError } from '../../src/errors.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { type InputWorker, startInputWorker } from '../../src/inputs/input-worker.js';
import { inputProofMetadata } from '../../src/inputs/metadata.js';
import { decryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';
import { provenInput } from './helpers/proven-inputs.js';
import { loadTestKeys } from './helpers/test-keys.js';

const ACL: Address = '0x50157CFfD6bBFA2DECe204a89ec419c23ef5755D';
const CONTRACT: Address = '0x1111111111111111111111111111111111111111';
const USER: Address = '0x2222222222222222222222222222222222222222';

describe('input worker thread (engine expansion)', () => {
  const keys = loadTestKeys();
  const metadata = inputProofMetadata(CONTRACT, USER, ACL, 31337n);
  let list: Uint8Array;
  let worker: InputWorker;

  beforeAll(() => {
    // Same values and metadata as input-service.test.ts: the cached proof is reused.
    list = provenInput(
      keys,
      [
        { type: FheType.Uint8, value: 200n },
        { type: FheType.Bool, value: 1n },
      ],
      metadata,
    );
    worker = startInputWorker({
      publicKey: keys.publicKeyBytes,
      crs: keys.crsBytes,
      expansion: { evaluationKeys: new Uint8Array(readFileSync(join(TEST_KEYS_DIR, 'eval-keys.bin'))) },
    });
  });
  afterAll(() => worker?.stop());

  it('verifies off the main thread, which keeps running meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 50);
    try {
      await worker.verifier.verify(list, metadata);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(10);
  });

  it('reports a proof for other metadata as INPUT_PROOF_INVALID across the thread boundary', async () => {
    const error = await worker.verifier
      .verify(list, inputProofMetadata(USER, USER, ACL, 31337n))
      .catch((e) => e);
    expect(isFhekitError(error) && error.code).toBe('INPUT_PROOF_INVALID');
  });

  it('expands with the engine into ciphertexts node-tfhe decrypts to the pushed values', async () => {
    const [u8, bool] = await worker.expander.expand(list, [FheType.Uint8, FheType.Bool]);
    expect(decryptWithClientKey(FheType.Uint8, u8, keys.clientKey)).toBe(200n);
    expect(decryptWithClientKey(FheType.Bool, bool, keys.clientKey)).toBe(1n);
  });
});
