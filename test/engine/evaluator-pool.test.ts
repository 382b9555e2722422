import { afterAll, describe, expect, it } from 'vitest';
import { createEvaluatorPool, type EvaluatorPool } from '../../src/engine/evaluator-pool.js';
import { FheOp } from '../../src/engine/fhe-op.js';
import { FheType } from '../../src/engine/fhe-type.js';
import { isFhekitError } from '../../src/errors.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { engineFixture, evaluationKeyBlob } from './engine-fixture.js';

describe('evaluator pool (worker threads sharing one key blob)', () => {
  const { clientKey } = engineFixture();
  let pool: EvaluatorPool | undefined;
  afterAll(() => pool?.close());

  it('runs computations concurrently on two threads and returns node-tfhe-decryptable results', async () => {
    pool = await createEvaluatorPool({ evaluationKeys: evaluationKeyBlob(), threads: 2 });
    const u8 = (v: bigint) => ({
      type: FheType.Uint8,
      ciphertext: encryptWithClientKey(FheType.Uint8, v, clientKey),
    });
    const [sum, greater] = await Promise.all([
      pool.compute({ op: FheOp.Add, resultType: FheType.Uint8, operands: [u8(250n), { scalar: 10n }] }),
      pool.compute({ op: FheOp.Gt, resultType: FheType.Bool, operands: [u8(7n), u8(6n)] }),
    ]);
    expect(decryptWithClientKey(FheType.Uint8, sum!, clientKey)).toBe(4n);
    expect(decryptWithClientKey(FheType.Bool, greater!, clientKey)).toBe(1n);
  });

  it('passes FhekitErrors back from the thread and rejects work after close', async () => {
    const u8 = { type: FheType.Uint8, ciphertext: encryptWithClientKey(FheType.Uint8, 9n, clientKey) };
    const failed = await pool!
      .compute({ op: FheOp.Div, resultType: FheType.Uint8, operands: [u8, { scalar: 0n }] })
      .catch((e: unknown) => e);
    expect(isFhekitError(failed) && failed.code).toBe('FHE_DIVISION_BY_ZERO');
    await pool!.close();
    const closed = await pool!
      .compute({ op: FheOp.Not, resultType: FheType.Uint8, operands: [u8] })
      .catch((e: unknown) => e);
    expect(isFhekitError(closed) && closed.code).toBe('FHE_EVALUATOR_CLOSED');
  });
});
