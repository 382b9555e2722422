import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeOp } from '../../src/engine/compute-op.js';
import { decodeOperand } from '../../src/engine/create-evaluator.js';
import { Bootstrapper } from '../../src/engine/pbs/bootstrap.js';
import { rippleWidths } from '../../src/engine/radix/arithmetic.js';
import { type AlgorithmChoice, BlockEvaluator } from '../../src/engine/radix/block-evaluator.js';
import { lockstepWidths } from '../../src/engine/radix/comparison.js';
import { carryOutTreeWidths, parallelCarryWidths } from '../../src/engine/radix/parallel-carry.js';
import { modelledPbsTimes, sklanskyLevels } from '../../src/engine/radix/schedule.js';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { FheOp } from '../../src/fhevm/operations.js';
import { encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { carryAlgorithmTests } from './carry-algorithms.js';
import { engineFixture } from './engine-fixture.js';

describe('carry algorithms, euint8 and euint16 (node-tfhe oracle)', () => {
  for (const algorithm of ['sequential', 'parallel'] as const) {
    carryAlgorithmTests(FheType.Uint8, algorithm);
    carryAlgorithmTests(FheType.Uint16, algorithm, { randomOps: [FheOp.Add], mul: false });
  }
});

describe('bootstrap schedule', () => {
  it('Sklansky levels compute every inclusive prefix', () => {
    const combine = (hi: number, lo: number) => (hi === 2 ? lo : hi);
    for (const count of [1, 2, 3, 7, 15, 16, 31]) {
      const states = Array.from({ length: count }, () => randomInt(3));
      const prefix = [...states];
      for (const level of sklanskyLevels(count)) {
        const next = [...prefix];
        for (const [i, source] of level) next[i] = combine(prefix[i]!, prefix[source]!);
        prefix.splice(0, count, ...next);
      }
      const expected = states.map((_, i) => states.slice(0, i + 1).reduceRight((acc, s) => combine(acc, s)));
      expect(prefix).toEqual(expected);
      expect(sklanskyLevels(count)).toHaveLength(Math.ceil(Math.log2(count)));
    }
  });

  it('models Σ ⌈width / threads⌉ and prefers the parallel carry only with enough threads', () => {
    expect(modelledPbsTimes([47, 15, 7, 7, 7, 7, 32], 8)).toBe(6 + 2 + 4 + 4);
    // euint64 (32 blocks): the ripple's 32 rounds against the prefix on 2 and 8 threads.
    expect(modelledPbsTimes(parallelCarryWidths(32), 2)).toBeGreaterThan(32);
    expect(modelledPbsTimes(parallelCarryWidths(32), 8)).toBeLessThan(32);
    expect(parallelCarryWidths(32).length).toBeLessThanOrEqual(8);
    expect(modelledPbsTimes(carryOutTreeWidths(32), 8)).toBeLessThan(modelledPbsTimes(lockstepWidths(32), 8));
  });

  const recorded = (algorithm: AlgorithmChoice, op: FheOp) => {
    const { clientKey, evaluationKeys } = engineFixture();
    const ev = new BlockEvaluator(new Bootstrapper(evaluationKeys), { algorithm });
    const operand = () =>
      decodeOperand({
        type: FheType.Uint16,
        ciphertext: encryptWithClientKey(FheType.Uint16, 999n, clientKey),
      });
    const before = { rounds: ev.rounds, pbs: ev.bootstrapper.count };
    ev.roundWidths = [];
    computeOp(ev, op, op === FheOp.Ge ? FheType.Bool : FheType.Uint16, [operand(), operand()]);
    const widths = ev.roundWidths;
    expect(ev.rounds - before.rounds).toBe(widths.length);
    expect(ev.bootstrapper.count - before.pbs).toBe(widths.reduce((x, y) => x + y, 0));
    return widths;
  };

  it('counts rounds and PBS per op as the widths the chooser models (euint16, 8 blocks)', () => {
    expect(recorded('parallel', FheOp.Add)).toEqual(parallelCarryWidths(8));
    expect(recorded('sequential', FheOp.Add)).toEqual(rippleWidths(8));
    expect(recorded('parallel', FheOp.Ge)).toEqual(carryOutTreeWidths(8));
    // In-process there is one thread: auto keeps the ripple.
    expect(recorded('auto', FheOp.Add)).toEqual(rippleWidths(8));
  });
});
