import { join } from 'node:path';
import type { TfheClientKey } from 'node-tfhe';
import pino from 'pino';
import type { Hex, Log } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainHandle, startChain } from '../../src/chain/start-chain.js';
import { type Coprocessor, startCoprocessor } from '../../src/coprocessor/coprocessor.js';
import { createPooledEvaluator, type PooledEvaluator } from '../../src/engine/pool/pooled-evaluator.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { waitForCiphertexts } from '../../src/kms/ciphertext-source.js';
import { decryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { deployFixture, executorEvents, transact } from '../chain/fixture-chain.js';
import type { DeployedFixture } from './helpers.js';
import { tempDir, testKeyset } from './helpers.js';

describe('end to end: real anvil + host contracts + fixture, real engine, SQLite, node-tfhe decryption', () => {
  let chain: ChainHandle;
  let ops: DeployedFixture;
  let dir: { dir: string; cleanup: () => void };
  let coprocessor: Coprocessor;
  let clientKey: TfheClientKey;
  let evaluator: PooledEvaluator;

  beforeAll(async () => {
    dir = tempDir();
    const keys = testKeyset();
    clientKey = keys.clientKey;
    chain = await startChain();
    ops = await deployFixture(chain, 'HandleOps');
    // The engine's worker-thread pool: independent computations run on different threads.
    evaluator = await createPooledEvaluator({ evaluationKeys: keys.evaluationKeys, threads: 2 });
    coprocessor = await startCoprocessor({
      dbPath: join(dir.dir, 'coprocessor.db'),
      rpcUrl: chain.rpcUrl,
      addresses: chain.addresses,
      evaluator,
      logger: pino({ level: 'silent' }),
      concurrency: 2,
      pollIntervalMs: 50,
    });
  });
  afterAll(async () => {
    await coprocessor?.stop();
    await evaluator?.stop();
    await chain?.stop();
    dir?.cleanup();
  });

  const resultOf = (logs: Log[]) => (executorEvents(chain, logs).at(-1)!.args as { result: Hex }).result;
  const call = async (fn: string, args: readonly unknown[]) => resultOf(await transact(chain, ops, fn, args));
  /** Waits like the KMS does, then decrypts the stored bytes with node-tfhe and the client key. */
  const decrypt = async (handle: Hex, type: FheType) => {
    const [bytes] = await waitForCiphertexts(coprocessor.store, [handle], { timeoutMs: 60_000 });
    expect((await coprocessor.store.getCiphertext(handle))?.type).toBe(type);
    return decryptWithClientKey(type, bytes, clientKey);
  };

  it('computes a chain of euint8 operations to ciphertexts that decrypt to the plaintext results', async () => {
    // Trivial encryptions are noiseless and the engine skips bootstrapping on them: this chain checks
    // the event-to-engine mapping of many ops cheaply. One transaction: two trivial encryptions and their sum; then operations on earlier results.
    const sum = await call('binaryPlain', [FheOp.Add, FheType.Uint8, 200n, 100n, false]); // 300 mod 256 = 44
    const difference = await call('binary', [FheOp.Sub, sum, scalarWord(50n), true]); // 44 - 50 = 250
    const minimum = await call('binary', [FheOp.Min, difference, sum, false]); // 44
    const greater = await call('binary', [FheOp.Gt, difference, sum, false]); // true
    const selected = await call('select', [greater, sum, difference]); // 44
    const negated = await call('unary', [FheOp.Neg, selected]); // 212
    const xored = await call('binary', [FheOp.BitXor, negated, scalarWord(0x1ff0fn), true]); // 212 ^ 0x0f = 219
    const widened = await call('cast', [xored, FheType.Uint16]); // 219
    const bounded = await call('randBounded', [16n, FheType.Uint8]);

    expect(await decrypt(sum, FheType.Uint8)).toBe(44n);
    expect(await decrypt(difference, FheType.Uint8)).toBe(250n);
    expect(await decrypt(minimum, FheType.Uint8)).toBe(44n);
    expect(await decrypt(greater, FheType.Bool)).toBe(1n);
    expect(await decrypt(selected, FheType.Uint8)).toBe(44n);
    expect(await decrypt(negated, FheType.Uint8)).toBe(212n);
    expect(await decrypt(xored, FheType.Uint8)).toBe(219n);
    expect(await decrypt(widened, FheType.Uint16)).toBe(219n);
    expect(await decrypt(bounded, FheType.Uint8)).toBeLessThan(16n);

    const status = await coprocessor.status();
    expect(status.computations).toMatchObject({ pending: 0, done: 11, error: 0 });
    expect(status.ciphertexts).toBe(11);
    expect(status.opsPerSecond).toBeGreaterThan(0);
    const metrics = await coprocessor.metrics.registry.metrics();
    expect(metrics).toContain(
      'fhekit_coprocessor_computations_total{op="Add",type="euint8",outcome="computed"} 1',
    );
    expect(metrics).toContain('fhekit_coprocessor_queue_depth{state="pending"} 0');
  });

  it('computes every binary op on euint8, scalar and encrypted rhs, with the fhEVM semantics', async () => {
    // rhs 0x0107: the scalar is truncated to the lhs width and the trivial encryption to the type: 7.
    const [a, b, rhs] = [200n, 7n, 0x0107n];
    const expected: [FheOp, bigint][] = [
      [FheOp.Add, (a + b) % 256n],
      [FheOp.Sub, (a - b + 256n) % 256n],
      [FheOp.Mul, (a * b) % 256n],
      [FheOp.Div, a / b],
      [FheOp.Rem, a % b],
      [FheOp.BitAnd, a & b],
      [FheOp.BitOr, a | b],
      [FheOp.BitXor, a ^ b],
      [FheOp.Shl, (a << b) % 256n],
      [FheOp.Shr, a >> b],
      [FheOp.Rotl, ((a << b) | (a >> (8n - b))) % 256n],
      [FheOp.Rotr, ((a >> b) | (a << (8n - b))) % 256n],
      [FheOp.Eq, 0n],
      [FheOp.Ne, 1n],
      [FheOp.Ge, 1n],
      [FheOp.Gt, 1n],
      [FheOp.Le, 0n],
      [FheOp.Lt, 0n],
      [FheOp.Min, b],
      [FheOp.Max, a],
    ];
    const results: { op: FheOp; scalar: boolean; handle: Hex; want: bigint }[] = [];
    for (const [op, want] of expected) {
      for (const scalar of op === FheOp.Div || op === FheOp.Rem ? [true] : [true, false]) {
        const handle = await call('binaryPlain', [op, FheType.Uint8, a, rhs, scalar]);
        results.push({ op, scalar, handle, want });
      }
    }
    for (const { op, scalar, handle, want } of results) {
      const type = op >= FheOp.Eq && op <= FheOp.Lt ? FheType.Bool : FheType.Uint8;
      expect({ op, scalar, value: await decrypt(handle, type) }).toEqual({ op, scalar, value: want });
    }
  });

  it('bootstraps real (noisy) ciphertexts: a random euint8 through encrypted and scalar ops', async () => {
    const random = await call('rand', [FheType.Uint8]);
    const shifted = await call('binary', [FheOp.Add, random, scalarWord(100n), true]); // r + 100
    const hundred = await call('binary', [FheOp.Sub, shifted, random, false]); // 100
    const isHundred = await call('binary', [FheOp.Eq, hundred, scalarWord(100n), true]); // true

    const r = await decrypt(random, FheType.Uint8);
    expect(await decrypt(shifted, FheType.Uint8)).toBe((r + 100n) % 256n);
    expect(await decrypt(hundred, FheType.Uint8)).toBe(100n);
    expect(await decrypt(isHundred, FheType.Bool)).toBe(1n);

    // The pool reports its bootstraps: the metrics and status show them.
    const pbs = /fhekit_coprocessor_pbs_total (\d+)/.exec(await coprocessor.metrics.registry.metrics());
    expect(Number(pbs?.[1])).toBeGreaterThan(0);
    expect(Number(pbs?.[1])).toBe(evaluator.pbsCount());
    expect((await coprocessor.status()).pbsPerSecond).toBeGreaterThan(0);
  });
});

/** A plaintext scalar as the bytes32 the executor takes. */
function scalarWord(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, '0')}`;
}
