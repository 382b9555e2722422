import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TfheClientKey } from 'node-tfhe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FhevmOperand } from '../../../src/engine/evaluator.js';
import { createPooledEvaluator, type PooledEvaluator } from '../../../src/engine/pool/pooled-evaluator.js';
import { FheType } from '../../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../../src/fhevm/limits.js';
import { FheOp, opName } from '../../../src/fhevm/operations.js';
import { plaintextResult } from '../../../src/fhevm/plaintext-semantics.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../../test-keys.js';

const U8 = FheType.Uint8;
const COMPARISONS = new Set<FheOp>([FheOp.Eq, FheOp.Ge, FheOp.Lt]);

let clientKey: TfheClientKey;
let pool: PooledEvaluator;
const encrypt = (type: FheType, value: bigint): FhevmOperand => ({
  type,
  ciphertext: encryptWithClientKey(type, value, clientKey),
});

beforeAll(async () => {
  clientKey = TfheClientKey.safe_deserialize(
    readFileSync(join(TEST_KEYS_DIR, 'client-key.bin')),
    SERIALIZATION_LIMIT,
  );
  pool = await createPooledEvaluator({
    evaluationKeys: readFileSync(join(TEST_KEYS_DIR, 'eval-keys.bin')),
    threads: 2,
  });
});

afterAll(() => pool?.stop());

describe('pooled evaluator, 2 threads (node-tfhe oracle)', () => {
  it('computes concurrent euint8 ops, each equal to the plaintext semantics', async () => {
    const cases: [FheOp, bigint, bigint][] = [
      [FheOp.Add, 200n, 100n],
      [FheOp.Sub, 3n, 250n],
      [FheOp.BitAnd, 0xa5n, 0x3cn],
      [FheOp.BitXor, 0xffn, 0x0fn],
      [FheOp.Eq, 77n, 77n],
      [FheOp.Ge, 15n, 16n],
      [FheOp.Lt, 0n, 255n],
      [FheOp.Min, 9n, 200n],
    ];
    const results = await Promise.all(
      cases.map(([op, a, b]) => {
        const resultType = COMPARISONS.has(op) ? FheType.Bool : U8;
        return pool
          .compute({ op, resultType, operands: [encrypt(U8, a), encrypt(U8, b)] })
          .then((bytes) => decryptWithClientKey(resultType, bytes, clientKey));
      }),
    );
    expect(results.map((r, i) => `${opName(cases[i]![0])} ${r}`)).toEqual(
      cases.map(([op, a, b]) => `${opName(op)} ${plaintextResult(op, U8, a, b)}`),
    );
  });

  it('selects (ifThenElse) with an encrypted control', async () => {
    const [t, f] = await Promise.all(
      [1n, 0n].map((c) =>
        pool.compute({
          op: FheOp.IfThenElse,
          resultType: U8,
          operands: [encrypt(FheType.Bool, c), encrypt(U8, 201n), encrypt(U8, 7n)],
        }),
      ),
    );
    expect([decryptWithClientKey(U8, t!, clientKey), decryptWithClientKey(U8, f!, clientKey)]).toEqual([
      201n,
      7n,
    ]);
  });

  it('selects against a trivial zero with one bootstrap per block (the ERC-7984 transfer pattern)', async () => {
    const zero = await pool.compute({ op: FheOp.TrivialEncrypt, resultType: U8, operands: [{ scalar: 0n }] });
    const results: bigint[] = [];
    const before = pool.pbsCount();
    for (const c of [1n, 0n]) {
      const bytes = await pool.compute({
        op: FheOp.IfThenElse,
        resultType: U8,
        operands: [encrypt(FheType.Bool, c), encrypt(U8, 201n), { type: U8, ciphertext: zero }],
      });
      results.push(decryptWithClientKey(U8, bytes, clientKey));
    }
    expect(results).toEqual([201n, 0n]);
    expect(pool.pbsCount() - before).toBe(2 * 4);
  });

  it('compares noise-level-2 operands (a select output) both ways', async () => {
    const selected = await pool.compute({
      op: FheOp.IfThenElse,
      resultType: U8,
      operands: [encrypt(FheType.Bool, 1n), encrypt(U8, 0x93n), encrypt(U8, 0x2cn)],
    });
    const noisy: FhevmOperand = { type: U8, ciphertext: selected };
    const other = encrypt(U8, 0x92n);
    const [ge, le] = await Promise.all([
      pool.compute({ op: FheOp.Ge, resultType: FheType.Bool, operands: [noisy, other] }),
      pool.compute({ op: FheOp.Ge, resultType: FheType.Bool, operands: [other, noisy] }),
    ]);
    expect([ge!, le!].map((c) => decryptWithClientKey(FheType.Bool, c, clientKey))).toEqual([1n, 0n]);
  });

  it('compares euint64 where the low half, the high half or neither decides', async () => {
    const U64 = FheType.Uint64;
    const high = 0xdeadbeefn << 32n;
    const cases: [bigint, bigint][] = [
      [high | 5n, high | 4n], // high halves equal: the low carry passes through them
      [high | 4n, high | 5n],
      [high | 7n, high | 7n],
      [(high + (1n << 32n)) | 0n, high | 0xffffffffn], // the high half decides against the low
      [0n, 0xffffffffffffffffn],
    ];
    const results = await Promise.all(
      cases.map(([a, b]) =>
        pool
          .compute({ op: FheOp.Ge, resultType: FheType.Bool, operands: [encrypt(U64, a), encrypt(U64, b)] })
          .then((bytes) => decryptWithClientKey(FheType.Bool, bytes, clientKey)),
      ),
    );
    expect(results).toEqual(cases.map(([a, b]) => (a >= b ? 1n : 0n)));
  });

  it('multiplies and divides by plaintexts', async () => {
    const U16 = FheType.Uint16;
    const cases: [FheOp, bigint, bigint][] = [
      [FheOp.Mul, 12345n, 7n],
      [FheOp.Div, 60000n, 7n],
      [FheOp.Rem, 60000n, 7n],
    ];
    const results = await Promise.all(
      cases.map(([op, a, m]) =>
        pool
          .compute({ op, resultType: U16, operands: [encrypt(U16, a), { scalar: m }] })
          .then((bytes) => decryptWithClientKey(U16, bytes, clientKey)),
      ),
    );
    expect(results).toEqual(cases.map(([op, a, m]) => plaintextResult(op, U16, a, m)));
  });

  it('spreads the bootstraps of one op over both threads', async () => {
    const before = pool.pbsCountsPerThread();
    const type = FheType.Uint32;
    const bytes = await pool.compute({
      op: FheOp.BitOr,
      resultType: type,
      operands: [encrypt(type, 0x12345678n), encrypt(type, 0x0f0f0f0fn)],
    });
    expect(decryptWithClientKey(type, bytes, clientKey)).toBe(0x12345678n | 0x0f0f0f0fn);
    const ran = pool.pbsCountsPerThread().map((count, t) => count - before[t]!);
    // 16 blocks, one bivariate bootstrap each: the op's thread and the idle one shared them.
    expect(ran.reduce((a, b) => a + b)).toBe(16);
    expect(ran.every((count) => count > 0)).toBe(true);
    expect(pool.pbsCount()).toBe(pool.pbsCountsPerThread().reduce((a, b) => a + b));
  });

  it('rejects an invalid computation with its FhekitError code and keeps working', async () => {
    await expect(
      pool.compute({ op: FheOp.Add, resultType: U8, operands: [encrypt(U8, 1n)] }),
    ).rejects.toMatchObject({ code: 'FHE_INVALID_COMPUTATION' });
    const bytes = await pool.compute({
      op: FheOp.Add,
      resultType: U8,
      operands: [encrypt(U8, 1n), { scalar: 2n }],
    });
    expect(decryptWithClientKey(U8, bytes, clientKey)).toBe(3n);
  });
});

describe('pooled evaluator with the parallel carry forced, 2 threads', () => {
  it('runs pair-LUT board jobs: euint16 add and sub across every block, split over both threads', async () => {
    const parallel = await createPooledEvaluator({
      evaluationKeys: readFileSync(join(TEST_KEYS_DIR, 'eval-keys.bin')),
      threads: 2,
      algorithm: 'parallel',
    });
    try {
      const U16 = FheType.Uint16;
      const before = parallel.pbsCountsPerThread();
      const [sum, difference] = await Promise.all(
        (
          [
            [FheOp.Add, 0xffffn, 1n],
            [FheOp.Sub, 0n, 1n],
          ] as const
        ).map(([op, a, b]) =>
          parallel
            .compute({ op, resultType: U16, operands: [encrypt(U16, a), encrypt(U16, b)] })
            .then((bytes) => decryptWithClientKey(U16, bytes, clientKey)),
        ),
      );
      expect([sum, difference]).toEqual([0n, 0xffffn]);
      const ran = parallel.pbsCountsPerThread().map((count, t) => count - before[t]!);
      // 8 blocks: round 1 is 8 bootstraps, 4 of them two-LUT rotations (state and message of a high block).
      expect(ran.reduce((a, b) => a + b)).toBe(2 * 21);
      expect(ran.every((count) => count > 0)).toBe(true);
    } finally {
      await parallel.stop();
    }
  });
});

describe('pooled evaluator lifecycle', () => {
  it('close() stops threads that are mid-batch (one waiting on the board, one helping)', async () => {
    const type = FheType.Uint64;
    const busy = await createPooledEvaluator({
      evaluationKeys: readFileSync(join(TEST_KEYS_DIR, 'eval-keys.bin')),
      threads: 2,
    });
    const running = busy.compute({
      op: FheOp.BitAnd,
      resultType: type,
      operands: [encrypt(type, 1n), encrypt(type, 3n)],
    });
    const rejected = expect(running).rejects.toMatchObject({ code: 'FHE_EVALUATOR_CLOSED' });
    while (busy.pbsCount() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await busy.stop();
    await rejected;
  });

  it('refuses a thread count outside [1, 63]', async () => {
    await expect(
      createPooledEvaluator({ evaluationKeys: new Uint8Array(0), threads: 0 }),
    ).rejects.toMatchObject({
      code: 'FHE_THREADS_INVALID',
    });
  });

  it('close() rejects pending and later computes and stops the threads', async () => {
    const single = await createPooledEvaluator({
      evaluationKeys: readFileSync(join(TEST_KEYS_DIR, 'eval-keys.bin')),
      threads: 1,
    });
    expect(single.threads).toBe(1);
    const pending = single.compute({
      op: FheOp.Add,
      resultType: U8,
      operands: [encrypt(U8, 1n), encrypt(U8, 2n)],
    });
    const pendingRejected = expect(pending).rejects.toMatchObject({ code: 'FHE_EVALUATOR_CLOSED' });
    await single.stop();
    await pendingRejected;
    await expect(
      single.compute({ op: FheOp.Add, resultType: U8, operands: [encrypt(U8, 1n), encrypt(U8, 2n)] }),
    ).rejects.toMatchObject({ code: 'FHE_EVALUATOR_CLOSED' });
  });
});
